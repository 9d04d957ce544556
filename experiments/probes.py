"""What the report's figures need from inside a training run -- recorded
sparsely, for the configurations whose figures use it.

``train.run`` (tinynet runs only) calls::

    probe = probes.for_run(config, learner)        # None: nothing to record
    probe.grad_steps(epoch)                        # how many of the epoch's first steps it watches
    probe.after_step(learner, epoch, step)         # after each of those learner.step(x, y)
    probe.after_epoch(learner, epoch, train_x)     # after each epoch's evaluation
    record["probes"] = probe.result()              # JSON-safe, a few KB

What is recorded, and for which configurations:

* ``preactivations`` (plain MLP and both BatchNorm variants): per hidden
  layer, the 5/25/50/75/95 % quantiles of what its ReLU receives, on the
  first 300 training images, in eval mode -- the mode the test set sees,
  and the one that leaves BatchNorm's running statistics untouched. For
  the plain MLP that is fc_k(x); with BatchNorm it is bn(fc_k(x)), which
  in eval mode is normalised with the RUNNING statistics (for the lecture's
  one shared layer: a mixture of four layers' statistics). Sampled after
  epochs 1-4, every 5th epoch and the last.
* ``grad_norms`` (same configurations): per weight matrix (fc1..fc5), the
  L2 norm of its gradient dL/dW, averaged over the first 3 steps of the
  same sampled epochs (a batch of 10 gives a noisy gradient; 3 of ~30
  steps keep the cost small).
* ``weight_histogram`` (plain MLP, with or without an L1/L2 penalty): a
  fixed-bin histogram of all final connection weights, once, at the end:
  linear bins of w (sparsity shows as a spike at 0, shrinkage as a
  narrower bell) and log bins of |w|.

Numbers are rounded to 4 significant digits and histogram bins are stored
as (low, high, count): a probe record is a few KB. Cost: ~3.5 ms per
sampled epoch (a forward pass over 300 images, and the quantiles), ~90 ms
per run -- about 3 % of a baseline run, on 30 of the lab's 220 runs.
"""
import numpy as np

import tinynet as tn
from tinynet import nn

from .models import HIDDEN, IN_FEATURES, NUM_CLASSES

QUANTILES = (5, 25, 50, 75, 95)           # percent
PROBE_ROWS = 300                          # rows of train_x the quantiles are taken on
GRAD_STEPS_PER_EPOCH = 3
LINEAR_BINS = (-0.5, 0.5, 200)            # w: width 0.005; values outside go to the end bins
LOG_BINS = (-7, 0, 56)                    # log10|w| from 1e-7 to 1: 8 bins per decade


def _round(values):
    """4 significant digits, as plain floats (the figures need no more)."""
    return [float(f"{v:.4g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def sampled_epochs(epochs):
    """Epochs after which pre-activation quantiles are taken: 1-4 (where the
    distributions move fastest), every 5th, and the last."""
    return sorted({e for e in range(1, min(epochs, 4) + 1)} | set(range(5, epochs + 1, 5)) | {epochs})


def _plain(config):
    """The lecture's plain MLP (a penalty allowed): no layer that changes the network."""
    return (config.batchnorm == "none" and not config.dropout and not config.dropconnect
            and config.augmentation == "none" and not config.patience)


def _recorded(config):
    """(inside, histogram): whether a run of ``config`` records pre-activations
    and gradient norms, and whether it records the final weight histogram."""
    penalised = bool(config.l1 or config.l2)
    inside = config.batchnorm != "none" or (_plain(config) and not penalised)
    if config.batchnorm != "none" and (config.dropout or config.dropconnect):
        inside = False
    return inside, _plain(config)


def for_run(config, learner):
    """The Probe for this configuration, or None when no figure needs its data."""
    inside, histogram = _recorded(config)
    if not (inside or histogram):
        return None
    return Probe(learner, epochs=config.epochs, inside=inside, histogram=histogram)


def _quantiles(z):
    """The QUANTILES (percent) of all values of z, computed in float64.

    Exactly np.percentile(z as float64, QUANTILES) -- quantiles depend only on
    the sorted values -- but sorting the float32 values first (numpy sorts
    them with SIMD instructions) takes half the time of the selection that
    np.percentile runs on 30,000 unsorted float64 values. NaN sorts last,
    so a NaN still gives NaN quantiles.
    """
    return np.percentile(np.sort(z, axis=None).astype(np.float64), QUANTILES)


def relu_inputs(model, x):
    """What each hidden ReLU receives for input x: a list of (N, 100) arrays.

    Walks the lecture's shared-BatchNorm model by hand (its forward, line for
    line) and a Sequential layer by layer. Call under ``tn.no_grad()``.
    """
    inputs = []
    if isinstance(model, nn.Sequential):
        for layer in model:
            if isinstance(layer, nn.ReLU):
                inputs.append(x)
            x = layer(x)
        return inputs
    for fc in (model.fc1, model.fc2, model.fc3, model.fc4):     # LectureBatchNormMLP
        z = model.bn(fc(x))
        inputs.append(z)
        x = model.relu(z)
    return inputs


class Probe:
    """Records the data of one run; see the module docstring."""

    def __init__(self, learner, epochs, inside=True, histogram=False):
        self.learner = learner
        self.inside, self.histogram = inside, histogram
        self.sample_at = set(sampled_epochs(epochs))
        self.weights = [p for p in learner.model.parameters() if p.penalized]   # fc1..fc5 weights
        self.preact = {"epoch": [], "quantiles": []}   # quantiles: per epoch [layer][quantile]
        self.grads = {"epoch": [], "norms": []}        # norms: per epoch [layer]
        self._grad_epoch, self._grad_sum, self._grad_steps = None, None, 0

    # -- gradient norms ------------------------------------------------------
    def grad_steps(self, epoch):
        """How many of this epoch's first steps to pass to after_step: 0 on
        most epochs, so that train.run calls nothing at all on their steps."""
        return GRAD_STEPS_PER_EPOCH if self.inside and epoch in self.sample_at else 0

    def after_step(self, learner, epoch, step):
        if not self.grad_steps(epoch):
            return
        if epoch != self._grad_epoch:
            self._close_grad_epoch()
            self._grad_epoch, self._grad_sum, self._grad_steps = epoch, np.zeros(len(self.weights)), 0
        if self._grad_steps >= GRAD_STEPS_PER_EPOCH:
            return
        self._grad_sum += [np.linalg.norm(p.grad) if p.grad is not None else np.nan
                           for p in self.weights]
        self._grad_steps += 1

    def _close_grad_epoch(self):
        if self._grad_epoch is not None and self._grad_steps:
            mean = self._grad_sum / self._grad_steps
            if np.all(np.isfinite(mean)):        # a diverging step records nothing
                self.grads["epoch"].append(int(self._grad_epoch))
                self.grads["norms"].append(_round(mean))
        self._grad_epoch = None

    # -- pre-activation quantiles --------------------------------------------
    def after_epoch(self, learner, epoch, train_x):
        if not self.inside or epoch not in self.sample_at:
            return
        model = learner.model
        was_training = model.training
        model.eval()                              # eval mode: running statistics stay as they are
        try:
            with tn.no_grad():
                layers = relu_inputs(model, train_x[:PROBE_ROWS])
        finally:
            model.train(was_training)
        quantiles = [_quantiles(z) for z in layers]
        if all(np.all(np.isfinite(q)) for q in quantiles):
            self.preact["epoch"].append(int(epoch))
            self.preact["quantiles"].append([_round(q) for q in quantiles])

    # -- the record --------------------------------------------------------------
    def weight_histogram(self):
        """Fixed-bin histograms of all connection weights, now."""
        flat = np.concatenate([p.data.ravel() for p in self.weights]).astype(np.float64)
        flat = flat[np.isfinite(flat)]
        low, high, bins = LINEAR_BINS
        linear, _ = np.histogram(np.clip(flat, low, high), bins=bins, range=(low, high))
        low10, high10, bins10 = LOG_BINS
        # |w| below 1e-7 (or exactly 0) counts in the first bin, above 1 in the last
        exponent = np.log10(np.clip(np.abs(flat), 10.0 ** low10, 10.0 ** high10))
        log, _ = np.histogram(exponent, bins=bins10, range=(low10, high10))
        return {"count": int(flat.size),
                "linear": {"low": low, "high": high, "counts": linear.tolist()},
                "log10_abs": {"low": low10, "high": high10, "counts": log.tolist()}}

    def result(self):
        """JSON-safe: finite floats and ints only."""
        self._close_grad_epoch()
        out = {}
        if self.inside:
            out["preactivations"] = {"quantiles_percent": list(QUANTILES), "rows": PROBE_ROWS,
                                     "mode": "eval", **self.preact}
            out["grad_norms"] = {"steps_per_epoch": GRAD_STEPS_PER_EPOCH, **self.grads}
        if self.histogram:
            out["weight_histogram"] = self.weight_histogram()
        return out


# --------------------------------------------------------------------------
# A stored probe record, checked against what Probe.result writes
# --------------------------------------------------------------------------
WEIGHT_MATRICES = len(HIDDEN) + 1                   # fc1..fc5
CONNECTION_WEIGHTS = sum(a * b for a, b in zip((IN_FEATURES,) + HIDDEN, HIDDEN + (NUM_CLASSES,)))


def _numbers(rows, shape, minimum=None):
    """True when ``rows`` is a nested list of finite numbers of ``shape``."""
    if not isinstance(rows, list) or len(rows) != shape[0]:
        return False
    if len(shape) > 1:
        return all(_numbers(row, shape[1:], minimum) for row in rows)
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
               and (minimum is None or v >= minimum) for v in rows)


def _epochs_problem(block, name, config, last_epoch):
    epochs = block.get("epoch")
    allowed = set(sampled_epochs(config.epochs))
    if (not isinstance(epochs, list) or sorted(set(epochs)) != epochs
            or not all(type(e) is int and e in allowed and e <= last_epoch for e in epochs)):
        return f"its probes' {name} 'epoch' is not a list of the run's sampled epochs"
    return None


def _histogram_problem(hist, finished):
    count = hist.get("count")
    if type(count) is not int or not 0 <= count <= CONNECTION_WEIGHTS or (
            finished and count != CONNECTION_WEIGHTS):
        return f"its probes' weight_histogram 'count' is {count!r}, not {CONNECTION_WEIGHTS}"
    for kind, (low, high, bins) in (("linear", LINEAR_BINS), ("log10_abs", LOG_BINS)):
        part = hist.get(kind)
        if not isinstance(part, dict) or (part.get("low"), part.get("high")) != (low, high):
            return f"its probes' weight_histogram {kind!r} is not over [{low}, {high}]"
        counts = part.get("counts")
        if not _numbers(counts, (bins,), minimum=0) or not all(type(c) is int for c in counts):
            return f"its probes' weight_histogram {kind!r} 'counts' are not {bins} whole numbers >= 0"
        if sum(counts) != count:
            return f"its probes' weight_histogram {kind!r} counts {sum(counts)} weights, not {count}"
    return None


def result_problem(result, config, last_epoch, allow_none=False):
    """What makes ``result`` (a stored record's "probes") differ from what
    Probe.result writes for a run of ``config`` whose last epoch (completed,
    or the one it diverged in) is ``last_epoch``; None when it does not.
    ``allow_none``: a diverged run may have stored no probes."""
    inside, histogram = _recorded(config)
    kinds = {"preactivations", "grad_norms"} if inside else set()
    kinds |= {"weight_histogram"} if histogram else set()
    if result is None:
        return None if allow_none or not kinds else "its 'probes' are null"
    if set(result) != kinds:
        return f"its 'probes' hold {sorted(result)}, not {sorted(kinds)}"
    if inside:
        pre, grads = result["preactivations"], result["grad_norms"]
        if not isinstance(pre, dict) or not isinstance(grads, dict):
            return "its probes' preactivations or grad_norms are not objects"
        if (pre.get("quantiles_percent"), pre.get("rows"), pre.get("mode")) != (
                list(QUANTILES), PROBE_ROWS, "eval"):
            return "its probes' preactivations are not eval-mode quantiles of the format probes.py writes"
        problem = (_epochs_problem(pre, "preactivations", config, last_epoch)
                   or _epochs_problem(grads, "grad_norms", config, last_epoch))
        if problem:
            return problem
        quantiles = pre.get("quantiles")
        if not _numbers(quantiles, (len(pre["epoch"]), len(HIDDEN), len(QUANTILES))) or any(
                np.any(np.diff(layer) < 0) for epoch in quantiles for layer in epoch):
            return "its probes' preactivations 'quantiles' are not increasing finite numbers " \
                   "per sampled epoch and hidden layer"
        if grads.get("steps_per_epoch") != GRAD_STEPS_PER_EPOCH or not _numbers(
                grads.get("norms"), (len(grads["epoch"]), WEIGHT_MATRICES), minimum=0):
            return "its probes' grad_norms 'norms' are not finite numbers >= 0 per sampled epoch " \
                   "and weight matrix"
    if histogram:
        if not isinstance(result["weight_histogram"], dict):
            return "its probes' weight_histogram is not an object"
        return _histogram_problem(result["weight_histogram"], finished=not allow_none)
    return None

