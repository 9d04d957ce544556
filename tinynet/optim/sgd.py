"""Stochastic gradient descent with momentum and the lecture's L1/L2 penalties."""
import numpy as np

from .optimizer import FRACTION, NON_NEGATIVE, POSITIVE, Optimizer


def check_penalize(owner, name, value):
    if not (isinstance(value, str) and value in ("weights", "all")):
        raise ValueError(f"{owner}: {name} must be 'weights' or 'all', got {value!r}")
    return value


class SGD(Optimizer):
    r"""SGD on the regularised loss of the lecture,

        L~ = L + l1 * sum|w| + l2 * sum w^2.

    The gradient of each penalty, element by element:

        d/dw (l1 * |w|) = l1 * sign(w)   (|w| is w for w > 0 and -w for w < 0, so its
                                          slope is +1 or -1; at the kink w = 0 we take
                                          sign(0) = 0, a valid subgradient)
        d/dw (l2 * w^2) = 2 * l2 * w

    so each step, for every parameter w with gradient dL/dw:

        g = dL/dw + l1 * sign(w) + 2 * l2 * w
        v <- momentum * v + g            (v starts at 0, so v = g at the first step)
        w <- w - lr * v                  (with momentum 0 this is w - lr * g)

    With l1 = 0 and ``penalize="all"`` this is PyTorch's ``torch.optim.SGD`` (dampening 0, no
    Nesterov) with ``weight_decay = 2 * l2``.

    Which parameters are penalised: by default only connection weights
    (``Parameter.penalized``: Linear/DropConnect ``weight``), which is the
    lecture's Omega(w); biases and BatchNorm's gamma/beta are left alone.
    ``penalize="all"`` penalises every parameter, as PyTorch's
    ``weight_decay`` does. PyTorch's ``weight_decay=wd`` adds ``wd * w`` to
    the gradient, so it equals ``l2 = wd / 2`` here.

    ``params`` is ``model.parameters()`` or ``model.named_parameters()``
    (then error messages name ``fc1.weight`` rather than a position).
    ``penalty()`` returns the current l1 * sum|w| + l2 * sum w^2, so training
    can report L~ and not only L.

    The update is in place (``w -= lr * v``): the Parameter objects, and any
    array a student holds from ``p.data``, stay the same objects.
    """

    hyperparameters = {"lr": POSITIVE, "momentum": FRACTION, "l1": NON_NEGATIVE, "l2": NON_NEGATIVE,
                       "penalize": check_penalize}

    def __init__(self, params, lr, momentum=0.0, l1=0.0, l2=0.0, penalize="weights"):
        super().__init__(params)
        self.lr, self.momentum, self.l1, self.l2, self.penalize = lr, momentum, l1, l2, penalize

    @property
    def penalized(self):
        """The parameters the L1/L2 terms apply to."""
        return [p for p in self.params if self.penalize == "all" or p.penalized]

    def penalty(self):
        """The current regularisation term l1 * sum|w| + l2 * sum w^2."""
        total = 0.0
        for p in self.penalized:
            if self.l1:                 # a zero term is skipped: 0 * sum|w| is NaN for an infinite w
                total += self.l1 * float(np.abs(p.data).sum())
            if self.l2:
                total += self.l2 * float((p.data ** 2).sum())
        return total

    def penalty_grad(self, w):
        """d/dw of l1 * sum|w| + l2 * sum w^2, elementwise (a zero term is skipped)."""
        grad = 0.0
        if self.l1:
            grad = grad + self.l1 * np.sign(w)
        if self.l2:
            grad = grad + 2 * self.l2 * w
        return grad

    def step(self):
        """Update every parameter that has a gradient (see the class docstring)."""
        self.check_gradients()
        has_penalty = self.l1 or self.l2
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:               # not used in this forward pass
                continue
            w = p.data
            if has_penalty and (self.penalize == "all" or p.penalized):
                g = g + self.penalty_grad(w)
            if self.momentum:
                v = self.buffer(i, "velocity")
                v[...] = self.momentum * v + g
                g = v
            w -= self.lr * g
