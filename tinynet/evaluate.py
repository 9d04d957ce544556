"""What a model predicts for a set of examples, and how often it is right.

Both helpers run the model in eval mode (Dropout off, BatchNorm on its
running statistics) and under ``no_grad``, in batches of ``batch_size``
examples, then put the model back in the train/eval mode each of its
modules had -- also when something raises.
"""
import numbers

import numpy as np

from .nn.messages import DIVERGED
from .nn.module import Module
from .nn.tape import no_grad


def predict(model, x, batch_size=1000):
    """The predicted class of each example: ``argmax`` of the model's scores.

    ``x``: float array (N, ...) of the model's dtype -- images stored as
    uint8 must be scaled first, e.g. ``x.astype(np.float32) / 255``.
    Returns an int64 array of shape (N,).
    """
    return _predict(model, x, batch_size, "predict")[0]


def accuracy(model, x, y, batch_size=1000):
    """The fraction of examples whose predicted class equals the label ``y``.

    ``x``: float array (N, ...) of the model's dtype; ``y``: integer labels
    of shape (N,), each in [0, C) for a model with C output scores.
    Returns a Python float in [0, 1].
    """
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
        kind = f"a {y.dtype} array" if isinstance(y, np.ndarray) else f"a {type(y).__name__}"
        raise TypeError(f"accuracy: y must be a numpy array of integer class labels, got {kind}")
    if y.ndim != 1:
        hint = " (one-hot labels? use y.argmax(axis=1))" if y.ndim == 2 else ""
        raise ValueError(f"accuracy: y must have shape (N,), one label per example, got {y.shape}{hint}")
    if isinstance(x, np.ndarray) and x.ndim >= 1 and len(y) != len(x):
        raise ValueError(f"accuracy: x has {len(x)} examples but y has {len(y)} labels")
    if len(y) == 0:
        raise ValueError("accuracy: no examples (x and y are empty); the accuracy of nothing is undefined")
    predictions, num_classes = _predict(model, x, batch_size, "accuracy")
    if y.min() < 0 or y.max() >= num_classes:
        bad = int(np.flatnonzero((y < 0) | (y >= num_classes))[0])
        raise ValueError(f"accuracy: labels must be in [0, {num_classes}) for a model with {num_classes} "
                         f"outputs; y[{bad}] = {y[bad]}")
    return float(np.mean(predictions == y))


def _predict(model, x, batch_size, caller):
    """(predictions (N,), number of classes C), after checking the arguments."""
    if not isinstance(model, Module):
        raise TypeError(f"{caller}: model must be a tinynet Module, got {type(model).__name__}")
    _check_input(model, x, caller)
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, numbers.Integral) \
            or batch_size < 1:
        raise ValueError(f"{caller}: batch_size must be a positive integer, got {batch_size!r}")
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    predictions, num_classes = [], None
    try:
        with no_grad():
            for start in range(0, len(x), batch_size):
                batch = x[start:start + batch_size]
                scores = model(batch)
                _check_scores(scores, batch, start, caller)
                num_classes = scores.shape[1]
                predictions.append(scores.argmax(axis=1))
    finally:
        for module, training in modes:
            module.training = training
    if not predictions:
        return np.zeros(0, np.int64), num_classes
    return np.concatenate(predictions).astype(np.int64, copy=False), num_classes


def _check_input(model, x, caller):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{caller}: x must be a numpy array of shape (N, ...), got {type(x).__name__}")
    if x.ndim < 2:
        raise ValueError(f"{caller}: x must be a batch of shape (N, ...), got shape {x.shape}; "
                         "for a single example use x[None]")
    dtype = next((p.data.dtype for p in model.parameters()), None)   # None: a model without parameters
    if x.dtype.kind != "f":
        raise TypeError(f"{caller}: x is a {x.dtype} array but the model needs floats; scale the "
                        f"images first, e.g. x.astype(np.{(dtype or np.dtype(np.float32)).name}) / 255")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{caller}: x is {x.dtype} but the model's parameters are {dtype}; convert x "
                        f"(x.astype(np.{dtype.name})) or the model (model.float() / model.double())")


def _check_scores(scores, batch, start, caller):
    """Scores of shape (batch, C), all finite: argmax of a NaN would be a silently wrong class."""
    if not isinstance(scores, np.ndarray) or scores.ndim != 2 or len(scores) != len(batch):
        raise ValueError(f"{caller}: the model must return class scores of shape (N, C), one row per "
                         f"example; for a batch of {len(batch)} examples it returned "
                         f"{getattr(scores, 'shape', type(scores).__name__)}")
    finite = np.isfinite(scores)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        if not np.isfinite(batch[row]).all():
            raise ValueError(f"{caller}: x[{start + row}] contains non-finite values (NaN or inf); "
                             "clean the input first")
        raise FloatingPointError(f"{caller}: the model produced {int((~finite).sum())} non-finite scores "
                                 f"(first for x[{start + row}]), so its weights are probably non-finite; "
                                 f"{DIVERGED}")
