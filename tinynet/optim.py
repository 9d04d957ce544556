"""Stochastic gradient descent with momentum and L1/L2 penalties."""
import numpy as np

from .nn.module import Parameter


class SGD:
    r"""SGD on the regularised loss of the lecture,

        L~ = L + l1 * sum|w| + l2 * sum w^2,

    so each step uses the gradient
        g = dL/dw + l1 * sign(w) + 2 * l2 * w
    (sign(0) = 0: the subgradient at the kink of |w|), then, as in PyTorch,
        v <- momentum * v + g      (v = g at the first step)
        w <- w - lr * v            (or w - lr * g without momentum)

    Which parameters are penalised: by default only connection weights
    (``Parameter.penalized``: Linear/DropConnect ``weight``), which is the
    lecture's Omega(w); biases and BatchNorm's gamma/beta are left alone.
    ``penalize="all"`` penalises every parameter, as PyTorch's
    ``weight_decay`` does. PyTorch's ``weight_decay=wd`` adds ``wd * w`` to
    the gradient, so it equals ``l2 = wd / 2`` here.

    ``penalty()`` returns the current value of l1 * sum|w| + l2 * sum w^2,
    so training can report L~ and not only L.

    The update is in place (``w -= lr * g``): the Parameter objects, and any
    array a student holds from ``p.data``, stay the same objects.
    """

    def __init__(self, params, lr, momentum=0.0, l1=0.0, l2=0.0, penalize="weights"):
        self.params = list(params)
        if not self.params:
            raise ValueError("SGD got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(f"SGD expects tinynet Parameters, got {type(p).__name__} at position {i}")
        for name, value, positive in (("lr", lr, True), ("momentum", momentum, False),
                                      ("l1", l1, False), ("l2", l2, False)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) \
                    or value < 0 or (positive and value == 0):
                bound = "a positive" if positive else "a non-negative"
                raise ValueError(f"SGD: {name} must be {bound} number, got {value!r}")
        if penalize not in ("weights", "all"):
            raise ValueError(f"SGD: penalize must be 'weights' or 'all', got {penalize!r}")
        self.lr, self.momentum, self.l1, self.l2 = float(lr), float(momentum), float(l1), float(l2)
        self.penalized = [p for p in self.params if penalize == "all" or p.penalized]
        # Per parameter: does the penalty apply to it (only when there is one)?
        self._penalize = [bool(l1 or l2) and (penalize == "all" or p.penalized) for p in self.params]
        self._velocity = [None] * len(self.params)      # momentum buffers

    def zero_grad(self):
        """Forget the gradients (``None``, like PyTorch's ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def penalty(self):
        """The current regularisation term l1 * sum|w| + l2 * sum w^2."""
        total = 0.0
        for p in self.penalized:
            if self.l1:
                total += self.l1 * float(np.abs(p.data).sum())
            if self.l2:
                total += self.l2 * float((p.data * p.data).sum())
        return total

    def penalty_grad(self, w):
        """d/dw of l1 * sum|w| + l2 * sum w^2, elementwise."""
        grad = self.l1 * np.sign(w) if self.l1 else 0.0
        if self.l2:
            grad = grad + (2.0 * self.l2) * w
        return grad

    def step(self):
        momentum, velocity = self.momentum, self._velocity
        lr, lr_dtype = None, None
        for i, (p, penalize) in enumerate(zip(self.params, self._penalize)):
            g = p.grad
            if g is None:               # not used in this forward pass
                continue
            if penalize:
                g = g + self.penalty_grad(p.data)
            if momentum:
                if velocity[i] is None:
                    velocity[i] = g.copy()
                else:
                    velocity[i] *= momentum
                    velocity[i] += g
                g = velocity[i]
            if g.dtype is not lr_dtype:
                # lr as a 0-d array of the gradient's dtype, made once per
                # step (so a changed self.lr takes effect): NumPy converts a
                # Python float anew on every operation, which costs more
                # than a small layer's whole update.
                lr_dtype, lr = g.dtype, np.array(self.lr, dtype=g.dtype)
            p.data -= lr * g
