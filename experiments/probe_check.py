"""A stored record's probe data, checked against what probes.Probe.result
writes for a run of its settings: every kind the run records and no other,
each of the shape, bins and value ranges probes.py gives it.

:func:`result_problem` returns the first problem as a short phrase naming
the field, or None; record_check.py calls it for every stored tinynet seed
before it is reused.
"""
import numpy as np

from .models import FILTERS, HIDDEN, IN_FEATURES, KERNEL, NUM_CLASSES
from .probes import (ACTIVATION_BINS, GRAD_STEPS_PER_EPOCH, LINEAR_BINS, LOG_BINS, PROBE_ROWS,
                     QUANTILES, recorded, sampled_epochs)

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


def _whole(value, low, high):
    """True when ``value`` is an int (not a bool) in [low, high]."""
    return type(value) is int and low <= value <= high


def _counts_problem(counts, bins, where):
    if not _numbers(counts, (bins,), minimum=0) or not all(type(c) is int for c in counts):
        return f"its probes' {where} 'counts' are not {bins} whole numbers >= 0"
    return None


def _epochs_problem(block, name, config, last_epoch):
    epochs = block.get("epoch")
    allowed = set(sampled_epochs(config.epochs))
    if (not isinstance(epochs, list) or sorted(set(epochs)) != epochs
            or not all(type(e) is int and e in allowed and e <= last_epoch for e in epochs)):
        return f"its probes' {name} 'epoch' is not a list of the run's sampled epochs"
    return None


def _inside_problem(pre, grads, config, last_epoch):
    """Pre-activation quantiles and gradient norms."""
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
    return None


def _histogram_problem(hist, finished):
    """The final weights' histograms and their count of exact zeros."""
    if not isinstance(hist, dict):
        return "its probes' weight_histogram is not an object"
    count = hist.get("count")
    if not _whole(count, 0, CONNECTION_WEIGHTS) or (finished and count != CONNECTION_WEIGHTS):
        return f"its probes' weight_histogram 'count' is {count!r}, not {CONNECTION_WEIGHTS}"
    for kind, (low, high, bins) in (("linear", LINEAR_BINS), ("log10_abs", LOG_BINS)):
        part = hist.get(kind)
        if not isinstance(part, dict) or (part.get("low"), part.get("high")) != (low, high):
            return f"its probes' weight_histogram {kind!r} is not over [{low}, {high}]"
        problem = _counts_problem(part.get("counts"), bins, f"weight_histogram {kind!r}")
        if problem:
            return problem
        if sum(part["counts"]) != count:
            return f"its probes' weight_histogram {kind!r} counts {sum(part['counts'])} weights, " \
                   f"not {count}"
    # an exact zero lies in the first log bin (|w| <= 1e-7)
    if not _whole(hist.get("zeros"), 0, hist["log10_abs"]["counts"][0]):
        return f"its probes' weight_histogram 'zeros' is {hist.get('zeros')!r}, not a whole " \
               "number up to the count of its first log10|w| bin"
    return None


def _activations_problem(block, config):
    """Per hidden layer, the histogram of its activations at initialisation."""
    low, high, bins = ACTIVATION_BINS
    rows = min(PROBE_ROWS, config.train_size)
    if not isinstance(block, dict) or (block.get("rows"), block.get("low"), block.get("high")) != (
            rows, low, high):
        return f"its probes' activations are not over [{low}, {high}] for {rows} images"
    layers = block.get("layers")
    if not isinstance(layers, list) or len(layers) != config.hidden_layers or not all(
            isinstance(layer, dict) for layer in layers):
        return f"its probes' activations do not hold {config.hidden_layers} hidden layers"
    for layer in layers:
        count = rows * HIDDEN[0]
        problem = _counts_problem(layer.get("counts"), bins, "activations")
        if problem:
            return problem
        above = layer.get("above")
        if layer.get("count") != count or not _whole(above, 0, count) \
                or sum(layer["counts"]) + above != count:
            return f"its probes' activations do not count {count} values per layer"
        if not _whole(layer.get("zeros"), 0, layer["counts"][0]):
            return "its probes' activations 'zeros' are not within their first bin"
        if not _numbers([layer.get("mean"), layer.get("std")], (2,), minimum=0):
            return "its probes' activations 'mean' and 'std' are not finite numbers >= 0"
    return None


def _filters_problem(block, finished):
    """The first layer's kernels, at initialisation and (unless the run
    diverged) after training."""
    shape = (FILTERS, KERNEL * KERNEL)
    if not isinstance(block, dict) or set(block) != {"initial", "learned"} or not _numbers(
            block["initial"], shape) or not (_numbers(block["learned"], shape) or (
                block["learned"] is None and not finished)):
        return f"its probes' filters are not {FILTERS} kernels of {KERNEL}x{KERNEL} finite numbers"
    return None


def result_problem(result, config, last_epoch, allow_none=False):
    """What makes ``result`` (a stored record's "probes") differ from what
    Probe.result writes for a run of ``config`` whose last epoch (completed,
    or the one it diverged in) is ``last_epoch``; None when it does not.
    ``allow_none``: a diverged run may have stored no probes."""
    kinds = recorded(config)
    if result is None:
        return None if allow_none or not kinds else "its 'probes' are null"
    if set(result) != kinds:
        return f"its 'probes' hold {sorted(result)}, not {sorted(kinds)}"
    checks = {
        "preactivations": lambda: _inside_problem(result["preactivations"], result["grad_norms"],
                                                  config, last_epoch),
        "weight_histogram": lambda: _histogram_problem(result["weight_histogram"],
                                                       finished=not allow_none),
        "activations": lambda: _activations_problem(result["activations"], config),
        "filters": lambda: _filters_problem(result["filters"], finished=not allow_none),
    }
    for kind, check in checks.items():
        problem = check() if kind in kinds else None
        if problem:
            return problem
    return None
