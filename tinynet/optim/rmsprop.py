"""RMSprop: divide each gradient by a running root-mean-square of its recent values."""
import numpy as np

from ..arguments import NON_NEGATIVE, check_bool
from .optimizer import AVERAGING, EPS, MOMENTUM, Optimizer


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012) exactly as ``torch.optim.RMSprop``
    computes it. For every parameter w with a gradient, each step:

        g  = dL/dw + weight_decay * w            (L2 added to the gradient, as PyTorch does)
        v <- alpha * v + (1 - alpha) * g * g     running mean of g^2          (v starts at 0)
        d  = sqrt(v) + eps                       the "root mean square" of recent gradients
        w <- w - lr * g / d

    With ``centered=True`` d uses the variance of g instead of its mean square:

        m <- m + (1 - alpha) * (g - m)           running mean of g (= alpha m + (1 - alpha) g)
        d  = sqrt(max(v - m * m, 0)) + eps

    (v - m^2 >= 0 exactly -- m and v average g and g^2 with the same weights,
    which sum to at most 1, so Cauchy-Schwarz gives m^2 <= v -- but rounding
    can make it a tiny negative number when the gradient hardly varies, and
    its square root would be NaN, as it then is in PyTorch. tinynet takes
    the exact value 0 instead; elsewhere the two agree.)

    With ``momentum`` > 0 the scaled gradient is accumulated first:

        b <- momentum * b + g / d                (b starts at 0)
        w <- w - lr * b

    Why. Adagrad divides by the square root of the SUM of all past g^2, so its
    steps shrink for ever. RMSprop keeps Adagrad's idea -- a step size per
    weight, lr / (size of its gradients) -- but measures the size of the
    RECENT gradients. Unrolling the recursion from v_0 = 0,

        v_t = (1 - alpha) * sum_{k=1..t} alpha^(t-k) * g_k^2,

    a weighted average in which a gradient k steps old counts alpha^k: with
    alpha = 0.99 it forgets gradients older than about 1 / (1 - alpha) = 100
    steps. So g / sqrt(v) is about +-1 for a weight whose gradients keep
    their sign and size, whatever that size: every weight moves about lr per
    step, in steep and flat directions alike, and the step adapts when the
    landscape changes. The centered variant divides by the standard
    deviation of g (E[g^2] - E[g]^2 = Var[g]): a weight whose gradient is
    steady (small variance) takes larger steps than one whose gradient
    is mostly noise.

    No bias correction (unlike Adam): v starts at 0, so the first steps are
    larger than lr -- the first is lr * g / (sqrt(1 - alpha) |g|), 10 lr for
    alpha = 0.99, as in PyTorch.

    ``lr = 0`` is allowed, as in PyTorch. Unlike PyTorch, eps = 0 is
    refused (0 / 0 = NaN for a weight whose gradients have all been 0), and
    alpha and momentum must lie in [0, 1): alpha is the weight of the old
    average, and a momentum of 1 or more never forgets a gradient.
    """

    hyperparameters = {"lr": NON_NEGATIVE, "alpha": AVERAGING, "eps": EPS, "weight_decay": NON_NEGATIVE,
                       "momentum": MOMENTUM, "centered": check_bool}

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        super().__init__(params)
        self.lr, self.alpha, self.eps, self.weight_decay = lr, alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def step(self):
        """Update every parameter that has a gradient (see the class docstring)."""
        alpha = self.alpha
        for i, p, g in self.gradients(self.weight_decay):
            w = p.data
            v = self.buffer(i, "square_avg")
            v[...] = alpha * v + (1 - alpha) * g * g
            if self.centered:
                m = self.buffer(i, "grad_avg")
                m += (1 - alpha) * (g - m)
                d = np.sqrt(np.maximum(v - m * m, 0.0)) + self.eps
            else:
                d = np.sqrt(v) + self.eps
            if self.momentum:
                b = self.buffer(i, "momentum_buffer")
                b[...] = self.momentum * b + g / d
                w -= self.lr * b
            else:
                w -= self.lr * (g / d)
