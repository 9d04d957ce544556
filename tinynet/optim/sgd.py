"""Stochastic gradient descent with momentum (plain or Nesterov) and the lecture's L1/L2 penalties."""
import numpy as np

from ..arguments import NON_NEGATIVE, check_bool, check_choice
from .optimizer import MOMENTUM, Optimizer


def check_penalize(owner, name, value):
    return check_choice(owner, name, value, ("weights", "all"))


def check_l1_mode(owner, name, value):
    return check_choice(owner, name, value, ("subgradient", "proximal"))


def soft_threshold(w, t):
    """sign(w) * max(|w| - t, 0): the proximal operator of t * |w| (see SGD's docstring)."""
    return np.sign(w) * np.maximum(np.abs(w) - t, 0)


def penalty_terms_grad(w, l1, l2):
    """d/dw of l1 * sum|w| + l2 * sum w^2, elementwise (a zero term is skipped)."""
    grad = 0.0
    if l1:
        grad = grad + l1 * np.sign(w)
    if l2:
        grad = grad + 2 * l2 * w
    return grad


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

    With l1 = 0 and ``penalize="all"`` this is PyTorch's ``torch.optim.SGD`` (dampening 0)
    with ``weight_decay = 2 * l2``. tinynet has no ``dampening``: PyTorch's
    default, 0, is the lecture's momentum.

    Nesterov momentum (``nesterov=True``, PyTorch's form; needs momentum > 0):

        v <- momentum * v + g
        w <- w - lr * (g + momentum * v)

    Why. Plain momentum measures the gradient at w and then moves along the
    velocity. But the step will contain -lr * momentum * v whatever the
    gradient says, so Nesterov measures the gradient at the point the
    velocity is about to carry w to, u = w - lr * momentum * v: when the
    velocity overshoots a valley, the gradient there already points back,
    and the correction comes one step earlier (less oscillation). PyTorch
    stores that look-ahead point u itself as the weights, so the gradient is
    still taken at the stored weights. Writing the original method as
    w' = w - lr * b', b' = momentum * b + g(u) with u = w - lr * momentum * b,
    the look-ahead points follow
        u' = w' - lr * momentum * b' = u + lr * momentum * b - lr * b' - lr * momentum * b'
           = u - lr * (g(u) + momentum * b')        (using momentum * b = b' - g(u)),
    which is the update above with u as the weights and v = b.

    L1 that reaches exactly zero (``l1_mode="proximal"``). The subgradient
    step above never lands a weight on 0: a weight the data does not need
    moves by lr * l1 towards 0 each step, and once |w| < lr * l1 the next
    step jumps past 0 to the other side; it then oscillates around 0 with an
    amplitude below lr * l1 and equals 0 only by coincidence. The proximal
    step treats the smooth part (L and the L2 term) with a gradient step and
    the kink |w| exactly: after the gradient step to z, it picks

        w = argmin_u  (u - z)^2 / (2 lr) + l1 * |u|

    (stay near z, pay l1 * |u|). Element by element: for u > 0 the
    derivative (u - z) / lr + l1 is 0 at u = z - lr * l1, a solution if
    z > lr * l1; for u < 0, u = z + lr * l1 if z < -lr * l1; otherwise
    (|z| <= lr * l1) the minimum is the kink u = 0: moving from 0 to a small
    d changes the objective by -z * d / lr + l1 * |d| >= 0. Together:

        w = sign(z) * max(|z| - lr * l1, 0)          (soft-thresholding)

    every z within lr * l1 of 0 becomes exactly 0, and the others move
    lr * l1 towards 0, as the subgradient step would. So, per step:

        g = dL/dw + 2 * l2 * w             (the smooth part only)
        v <- momentum * v + g              (or Nesterov, as above)
        z = w - lr * v
        w <- sign(z) * max(|z| - lr * l1, 0)

    Momentum and L2 act on the smooth part; the proximal step applies to the
    weight after that update, only to the penalised parameters, and never
    enters the velocity. ``penalty()`` is l1 * sum|w| + l2 * sum w^2 in both
    modes: the objective is the same, only the way of minimising it differs.

    Which parameters are penalised: by default only connection weights
    (``Parameter.penalized``: Linear/DropConnect ``weight``), which is the
    lecture's Omega(w); biases and BatchNorm's gamma/beta are left alone.
    ``penalize="all"`` penalises every parameter, as PyTorch's
    ``weight_decay`` does. PyTorch's ``weight_decay=wd`` adds ``wd * w`` to
    the gradient, so it equals ``l2 = wd / 2`` here.

    ``params`` is ``model.parameters()`` or ``model.named_parameters()``
    (then error messages name ``fc1.weight`` rather than a position).
    ``lr = 0`` is allowed (as in PyTorch: a warm-up or annealing schedule
    reaches it) and leaves every weight where it is.

    The update is in place (``w -= lr * v``): the Parameter objects, and any
    array a student holds from ``p.data``, stay the same objects.
    """

    hyperparameters = {"lr": NON_NEGATIVE, "momentum": MOMENTUM, "l1": NON_NEGATIVE, "l2": NON_NEGATIVE,
                       "penalize": check_penalize, "nesterov": check_bool, "l1_mode": check_l1_mode}

    def __init__(self, params, lr, momentum=0.0, l1=0.0, l2=0.0, penalize="weights",
                 nesterov=False, l1_mode="subgradient"):
        super().__init__(params)
        self.lr, self.momentum, self.l1, self.l2, self.penalize = lr, momentum, l1, l2, penalize
        self.nesterov, self.l1_mode = nesterov, l1_mode

    def check_settings(self, settings):
        if settings.get("nesterov") and not settings.get("momentum"):
            raise ValueError(f"{type(self).__name__}: nesterov=True needs momentum > 0 (it measures the "
                             "gradient where the velocity is about to carry the weights), got momentum="
                             f"{settings.get('momentum')}")

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
        return penalty_terms_grad(w, self.l1, self.l2)

    def step(self):
        """Update every parameter that has a gradient (see the class docstring)."""
        proximal = self.l1_mode == "proximal" and self.l1 > 0
        l1_in_gradient = 0.0 if proximal else self.l1
        for i, p, g in self.gradients():
            w = p.data
            penalized = self.penalize == "all" or p.penalized
            if penalized and (l1_in_gradient or self.l2):
                g = g + penalty_terms_grad(w, l1_in_gradient, self.l2)
            if self.momentum:
                v = self.buffer(i, "velocity")
                v[...] = self.momentum * v + g
                g = g + self.momentum * v if self.nesterov else v
            w -= self.lr * g
            if penalized and proximal:
                w[...] = soft_threshold(w, self.lr * self.l1)
