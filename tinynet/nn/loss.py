"""Losses: the ``Loss`` base, softmax cross-entropy (classification) and mean squared error.

A loss is a layer with a scalar output: ``forward(input, target) -> (loss,
cache)`` and ``backward(dout, cache) -> dinput`` with dout = dL/dloss (1.0
when the loss is L itself). Everyday use::

    loss = loss_fn(logits, y)        # a Python float
    dlogits = loss_fn.backward()     # the last call's gradient, dout = 1.0

Losses never let a NumPy warning out before their own error: what they
check is computed under ``np.errstate``, so with warnings turned into
errors (``python -W error``) the user still reads tinynet's message.
"""
import math

import numpy as np

from .layer import cache_of_last_call
from .messages import DIVERGED, LOSS_CACHE, refuse_result, require_init
from .once import Once
from .tape import recording


class Loss:
    """Base class of losses: a layer with a scalar output.

    Subclasses define ``forward(input, target) -> (loss: float, cache)`` and
    ``backward(dout, cache) -> dinput``. ``loss_fn.backward()`` refers to the
    last call made with gradients enabled; it is refused when that call
    raised, when it was already used, and when two such calls happened with
    no backward between (which one is meant?). Calls under ``tn.no_grad()``
    record nothing.
    """

    def __init__(self):
        self._last_call = Once()        # (cache, input) of the last recording call

    def __init_subclass__(cls, **kwargs):
        # Once per class: let backward's cache be left out (the last call's).
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None:
            cls.backward = cache_of_last_call(backward)

    def __call__(self, input, target):
        if not recording.grad_enabled:
            return self._forward_pair(input, target)[0]
        require_init(self, "nn.Loss")
        try:
            loss, cache = self._forward_pair(input, target)
        except BaseException:
            self._last_call.fail()
            raise
        self._last_call.put((cache, input), refuse_unused=True)
        return loss

    def _forward_pair(self, input, target):
        result = self.forward(input, target)
        if type(result) is not tuple or len(result) != 2:
            refuse_result(self, result, "(loss, cache)")
        return result

    def backward_last_call(self, backward, dout):
        """``backward()`` for the last call, once; its gradient is linked to that call's
        input, so that ``model.backward`` can tell it belongs to the model's last output."""
        cache, input = self._last_call.take(self, LOSS_CACHE)
        dinput = backward(self, 1.0 if dout is None else dout, cache)
        recording.loss_link = (dinput, input)
        return dinput

    def forward(self, input, target):
        raise NotImplementedError(f"{type(self).__name__} must define forward(input, target)")

    def backward(self, dout=1.0, cache=None):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout, cache)")

    def __repr__(self):
        return f"{type(self).__name__}()"


def _first_bad_row(values):
    """(how many entries of ``values`` are NaN/inf, the first row holding one)."""
    bad = ~np.isfinite(np.atleast_1d(values))
    return int(bad.sum()), int(np.argwhere(bad)[0][0]) if bad.any() else None


class CrossEntropyLoss(Loss):
    r"""Mean softmax cross-entropy, as ``torch.nn.CrossEntropyLoss()``.

    Shapes: logits z (N, C) float, labels y (N,) integer class indices in
    [0, C); the loss is a Python float.

        p[n]  = softmax(z[n]),   p[n, c] = exp(z[n, c]) / sum_k exp(z[n, k])
        L     = -(1/N) sum_n log p[n, y[n]]

    Numerically stable: with m[n] = max_k z[n, k],
        log p[n, c] = (z[n, c] - m[n]) - log sum_k exp(z[n, k] - m[n]),
    which never exponentiates a large number (adding a constant to a row of z
    changes nothing, so subtracting its max is free).

    Backward: for one row, -log p[y] = -z[y] + log sum_k exp(z[k]), whose
    derivative in z[c] is -[c == y] + exp(z[c]) / sum_k exp(z[k]). So
        dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N,      times dout.
    The softmax and the log cancel into this simple form, which is why the
    two are one layer here: p, minus 1 at each row's true class, over N.

    A loss that is not finite raises FloatingPointError (training has
    diverged): NaN or +inf logits make their row's loss NaN, and -inf at the
    true class makes it inf. The result is checked rather than every logit:
    a finite loss guarantees a finite gradient (p lies in [0, 1]), and -inf
    away from the true class is exp(-inf) = 0, a probability of exactly 0,
    which PyTorch accepts too (it is how logits are masked).
    """

    def forward(self, input, target):
        z, y = input, target
        self._check(z, y)
        N = z.shape[0]
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN: the check below explains
            shifted = z - z.max(axis=1, keepdims=True)      # z[n, c] - m[n]
            exp = np.exp(shifted)
            sum_exp = exp.sum(axis=1)                       # (N,)
            log_p_true = shifted[np.arange(N), y] - np.log(sum_exp)
            loss = float(-log_p_true.sum() / N)
        if not math.isfinite(loss):     # NaN or +inf in a row, or -inf at its true class
            raise self._non_finite_error(z)
        return loss, (exp, sum_exp, y)

    def backward(self, dout, cache):
        exp, sum_exp, y = cache
        N = len(y)
        p = exp / sum_exp[:, None]                          # softmax(z), (N, C)
        p[np.arange(N), y] -= 1.0                           # p - onehot(y)
        return p * (float(dout) / N)

    @staticmethod
    def _check(z, y):
        if not isinstance(z, np.ndarray) or z.ndim != 2 or z.dtype.kind != "f":
            raise ValueError("CrossEntropyLoss expects float logits of shape (N, C), got "
                             f"{getattr(z, 'dtype', type(z).__name__)} {getattr(z, 'shape', '')}")
        if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
            raise TypeError("CrossEntropyLoss expects integer class labels (an int array of shape (N,)), "
                            f"got {getattr(y, 'dtype', type(y).__name__)}")
        N, C = z.shape
        if y.shape != (N,):
            raise ValueError(f"CrossEntropyLoss: labels of shape {y.shape} do not match "
                             f"logits of shape {z.shape}; expected ({N},)")
        if N == 0:
            raise ValueError("CrossEntropyLoss: the batch is empty")
        if y.min() < 0 or y.max() >= C:
            raise ValueError(f"CrossEntropyLoss: labels must be in [0, {C}), got values "
                             f"from {y.min()} to {y.max()}")

    @staticmethod
    def _non_finite_error(z):
        count, row = _first_bad_row(z)
        if count:
            return FloatingPointError(f"CrossEntropyLoss: the logits hold {count} non-finite values "
                                      f"(NaN or inf), the first in row {row}; {DIVERGED}")
        return FloatingPointError(f"CrossEntropyLoss: the logits span more than {z.dtype} can hold "
                                  f"(max - min of a row overflows: from {float(z.min()):g} to "
                                  f"{float(z.max()):g}); {DIVERGED}")


class MSELoss(Loss):
    r"""Mean squared error, as ``torch.nn.MSELoss(reduction)``.

    Shapes: input x and target t of the same shape (any), M = x.size
    entries; the loss is a Python float.

        d = x - t
        L = (1/M) sum_i d[i]^2        reduction="mean" (the default)
        L =       sum_i d[i]^2        reduction="sum"

    "mean" averages over EVERY element, as PyTorch does (for (N, K) outputs
    that is 1/(N K), not 1/N).

    Backward: dL/dx[i] = 2 d[i] / M ("mean") or 2 d[i] ("sum"), times dout.

    The target is cast to the input's dtype; its shape must match exactly
    (no broadcasting: an (N, 1) input against an (N,) target is refused).
    NaN/inf inputs raise FloatingPointError (training has diverged).
    """

    def __init__(self, reduction="mean"):
        if reduction not in ("mean", "sum"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean' or 'sum', got {reduction!r}")
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        x = input
        t = self._check(x, target)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is explained below
            d = x - t
            total = (d * d).sum()
        M = d.size
        loss = total / M if self.reduction == "mean" else total
        if not np.isfinite(loss):       # NaN/inf in x or t makes the sum NaN/inf: no extra pass
            raise self._non_finite_error(x, target, t)
        return float(loss), d

    def backward(self, dout, cache):
        d = cache
        scale = 2.0 / d.size if self.reduction == "mean" else 2.0
        return d * (float(dout) * scale)

    @staticmethod
    def _check(x, t):
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or x.size == 0:
            raise ValueError("MSELoss expects a non-empty float array as input, got "
                             f"{getattr(x, 'dtype', type(x).__name__)} {getattr(x, 'shape', '')}")
        if not isinstance(t, np.ndarray) or t.dtype.kind not in "biuf":
            raise TypeError("MSELoss expects a numeric array as target, got "
                            f"{getattr(t, 'dtype', type(t).__name__)}")
        if t.shape != x.shape:
            raise ValueError(f"MSELoss: target of shape {t.shape} does not match input of shape {x.shape} "
                             "(no broadcasting: reshape one of them, e.g. input.reshape(-1) or "
                             "target.reshape(input.shape))")
        with np.errstate(over="ignore"):            # a target too large for x.dtype is explained later
            return t.astype(x.dtype, copy=False)

    @staticmethod
    def _non_finite_error(x, target, t):
        """Why the loss is not finite; ``t`` is ``target`` cast to the input's dtype."""
        count, row = _first_bad_row(x)
        if count:
            return FloatingPointError(f"MSELoss: the input holds {count} non-finite values (NaN or inf), "
                                      f"the first in row {row}; {DIVERGED}")
        count, row = _first_bad_row(target)
        if count:
            return ValueError(f"MSELoss: the target holds {count} non-finite values (NaN or inf), "
                              f"the first in row {row}; check the data")
        count, row = _first_bad_row(t)
        if count:
            return ValueError(f"MSELoss: the target holds {count} values too large for the input's "
                              f"{x.dtype} (the first in row {row}, largest |value| "
                              f"{float(np.abs(target).max()):g}); scale the targets or use "
                              "model.double()")
        with np.errstate(over="ignore"):
            largest = float(np.abs(x.astype(np.float64) - t).max())
        return FloatingPointError(f"MSELoss: the squared error overflowed {x.dtype} (max |input - target| = "
                                  f"{largest:g}); {DIVERGED}")
