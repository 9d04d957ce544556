"""What the report's figures need from inside a training run -- recorded
sparsely, for the configurations whose figures use it.

``train.run`` (tinynet runs only) calls::

    probe = probes.for_run(config, learner, train_x)   # None: nothing to record
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
  linear bins of w (L1's pull shows as a spike at 0, L2's shrinkage as a
  narrower bell), log bins of |w|, and the count of weights exactly 0.
* ``activations`` (an MLP with a chosen initialisation, the ``init``
  experiment): per hidden layer, a histogram of what its activation
  function puts out for the first 300 training images, once, right after
  initialisation (Deep Learning from Scratch, figures 6-10 to 6-14).
* ``filters`` (the CNN): the first layer's 30 kernels of 5x5, at
  initialisation and after training.

Numbers are rounded to 4 significant digits and histogram bins are stored
as (low, high, count): a probe record is a few KB (the filters ~12 KB).
probe_check.py says what a stored probe record must hold. Cost: ~3.5 ms per
sampled epoch (a forward pass over 300 images, and the quantiles), ~90 ms
per run -- about 3 % of a baseline run, on 30 of the lab's 220 runs.
"""
import numpy as np

import tinynet as tn
from tinynet import nn

QUANTILES = (5, 25, 50, 75, 95)           # percent
PROBE_ROWS = 300                          # rows of train_x the quantiles are taken on
GRAD_STEPS_PER_EPOCH = 3
LINEAR_BINS = (-0.5, 0.5, 200)            # w: width 0.005; values outside go to the end bins
LOG_BINS = (-7, 0, 56)                    # log10|w| from 1e-7 to 1: 8 bins per decade
ACTIVATION_BINS = (0.0, 1.0, 30)          # as the book's figures; values above 1 counted apart


def _round(values):
    """4 significant digits, as plain floats (the figures need no more)."""
    return [float(f"{v:.4g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def sampled_epochs(epochs):
    """Epochs after which pre-activation quantiles are taken: 1-4 (where the
    distributions move fastest), every 5th, and the last."""
    return sorted({e for e in range(1, min(epochs, 4) + 1)} | set(range(5, epochs + 1, 5)) | {epochs})


def _plain(config):
    """The lecture's plain MLP trained by the lecture's SGD (a penalty and
    momentum allowed): nothing that changes the network or what it sees.
    Not a run that never sees the test set (a selection run or a tuning
    trial): no figure draws those."""
    return (config.model == "mlp" and config.hidden_layers == 4 and config.activation == "relu"
            and config.init == "default" and config.batchnorm == "none" and not config.dropout
            and not config.dropconnect and config.augmentation == "none" and not config.patience
            and config.optimizer == "sgd" and not config.nesterov
            and config.test_evaluation != "never")


def recorded(config):
    """The kinds of probe data a tinynet run of ``config`` records (a set of
    the names in the module docstring)."""
    penalised = bool(config.l1 or config.l2)
    kinds = set()
    if (config.batchnorm != "none" and not (config.dropout or config.dropconnect)) or (
            _plain(config) and not penalised):
        kinds |= {"preactivations", "grad_norms"}
    if _plain(config):
        kinds.add("weight_histogram")
    if config.model == "mlp" and config.init != "default":
        kinds.add("activations")
    if config.model == "cnn":
        kinds.add("filters")
    return kinds


def for_run(config, learner, train_x):
    """The Probe for this configuration (None when no figure needs its
    data), having recorded what it records at initialisation."""
    kinds = recorded(config)
    if not kinds:
        return None
    return Probe(learner, config.epochs, kinds, train_x)


def _quantiles(z):
    """The QUANTILES (percent) of all values of z, computed in float64.

    Exactly np.percentile(z as float64, QUANTILES) -- quantiles depend only on
    the sorted values -- but sorting the float32 values first (numpy sorts
    them with SIMD instructions) takes half the time of the selection that
    np.percentile runs on 30,000 unsorted float64 values. NaN sorts last,
    so a NaN still gives NaN quantiles.
    """
    return np.percentile(np.sort(z, axis=None).astype(np.float64), QUANTILES)


def _histogram(values, bins):
    """Counts of ``values`` in the fixed ``bins`` (low, high, n), as ints."""
    low, high, n = bins
    return np.histogram(values, bins=n, range=(low, high))[0].tolist()


def activation_outputs(model, x):
    """What each hidden layer's activation function (ReLU or Sigmoid) puts
    out for input x, walking a Sequential MLP layer by layer: a list of
    (N, 100) arrays. Call under ``tn.no_grad()``."""
    outputs = []
    for layer in model:
        x = layer(x)
        if isinstance(layer, (nn.ReLU, nn.Sigmoid)):
            outputs.append(x)
    return outputs


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

    def __init__(self, learner, epochs, kinds, train_x):
        self.learner = learner
        self.kinds = kinds
        self.inside, self.histogram = "preactivations" in kinds, "weight_histogram" in kinds
        self.sample_at = set(sampled_epochs(epochs))
        self.weights = [p for p in learner.model.parameters() if p.penalized]   # fc1..fc5 weights
        self.preact = {"epoch": [], "quantiles": []}   # quantiles: per epoch [layer][quantile]
        self.grads = {"epoch": [], "norms": []}        # norms: per epoch [layer]
        self._grad_epoch, self._grad_sum, self._grad_steps = None, None, 0
        self.at_start = {}
        if "activations" in kinds:
            self.at_start["activations"] = self.activation_histograms(train_x)
        if "filters" in kinds:
            self.initial_filters = self.first_filters()

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
        """Fixed-bin histograms of all connection weights, now, and how many are exactly 0."""
        flat = np.concatenate([p.data.ravel() for p in self.weights]).astype(np.float64)
        flat = flat[np.isfinite(flat)]
        low, high, _ = LINEAR_BINS
        low10, high10, _ = LOG_BINS
        # |w| below 1e-7 (or exactly 0) counts in the first bin, above 1 in the last
        exponent = np.log10(np.clip(np.abs(flat), 10.0 ** low10, 10.0 ** high10))
        return {"count": int(flat.size), "zeros": int(np.count_nonzero(flat == 0)),
                "linear": {"low": low, "high": high,
                           "counts": _histogram(np.clip(flat, low, high), LINEAR_BINS)},
                "log10_abs": {"low": low10, "high": high10,
                              "counts": _histogram(exponent, LOG_BINS)}}

    def activation_histograms(self, train_x):
        """Per hidden layer: counts of its activations in ACTIVATION_BINS, of
        those above the last bin and of those exactly 0, and their mean and
        standard deviation, for the first PROBE_ROWS training images (eval mode)."""
        model = self.learner.model
        was_training = model.training
        model.eval()
        try:
            with tn.no_grad():
                layers = activation_outputs(model, train_x[:PROBE_ROWS])
        finally:
            model.train(was_training)
        low, high, _ = ACTIVATION_BINS
        return {"rows": int(len(layers[0])), "low": low, "high": high, "layers": [
            {"counts": _histogram(a[a <= high], ACTIVATION_BINS), "above": int(np.sum(a > high)),
             "zeros": int(np.sum(a == 0)), "count": int(a.size),
             "mean": _round(a.mean(dtype=np.float64))[0], "std": _round(a.std(dtype=np.float64))[0]}
            for a in layers]}

    def first_filters(self):
        """The first layer's kernels (the first penalised weight: Conv2d's),
        one row of kh*kw numbers per filter (one input channel)."""
        weight = self.weights[0].data
        return [_round(kernel) for kernel in weight.reshape(len(weight), -1)]

    def result(self):
        """JSON-safe: finite floats and ints only."""
        self._close_grad_epoch()
        out = dict(self.at_start)
        if self.inside:
            out["preactivations"] = {"quantiles_percent": list(QUANTILES), "rows": PROBE_ROWS,
                                     "mode": "eval", **self.preact}
            out["grad_norms"] = {"steps_per_epoch": GRAD_STEPS_PER_EPOCH, **self.grads}
        if self.histogram:
            out["weight_histogram"] = self.weight_histogram()
        if "filters" in self.kinds:         # a diverged run's last kernels may not be finite
            learned = self.first_filters()
            out["filters"] = {"initial": self.initial_filters,
                              "learned": learned if np.all(np.isfinite(learned)) else None}
        return out
