"""Adam: momentum plus a per-weight step size, with PyTorch's exact update."""
import numpy as np

from ..arguments import NON_NEGATIVE, check_number, refuse
from .optimizer import AVERAGING, EPS, Optimizer


def check_betas(owner, name, value):
    """A pair (beta1, beta2) of numbers in [0, 1), stored as a tuple of floats."""
    if not isinstance(value, (tuple, list, np.ndarray)) or np.ndim(value) != 1 or len(value) != 2:
        refuse(TypeError, owner, name, "a pair (beta1, beta2) of numbers in [0, 1)", value)
    return tuple(check_number(owner, f"{name}[{k}]", beta, AVERAGING) for k, beta in enumerate(value))


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015) exactly as ``torch.optim.Adam`` computes it
    (amsgrad=False, maximize=False). For every parameter w, at its t-th step:

        g  = dL/dw + weight_decay * w        (L2 added to the gradient, as PyTorch does)
        m <- beta1 * m + (1 - beta1) * g      running mean of g      (m starts at 0)
        v <- beta2 * v + (1 - beta2) * g^2    running mean of g^2    (v starts at 0)
        m^ = m / (1 - beta1^t)                bias corrections (derived below)
        v^ = v / (1 - beta2^t)
        w <- w - lr * m^ / (sqrt(v^) + eps)

    Each weight moves by about lr in the direction of its recent gradients,
    whatever their scale: dividing by sqrt(v^) gives a rarely or weakly
    updated weight a bigger step. ``eps`` keeps the step finite where v^ = 0 (0 / eps, not 0 / 0).

    Why the bias correction. Unrolling the recursion from m_0 = 0,

        m_t = (1 - beta1) * sum_{k=1..t} beta1^(t-k) * g_k.

    If the gradients have a steady mean E[g], then
        E[m_t] = E[g] * (1 - beta1) * (1 + beta1 + ... + beta1^(t-1))
               = E[g] * (1 - beta1^t)            (a geometric sum),
    so m_t is biased towards its starting value 0 -- at t = 1, m_1 is only
    0.1 * g for beta1 = 0.9. Dividing by (1 - beta1^t) removes that bias, and
    the same argument with g^2 gives v^. Without them the first step would be
    (1 - beta1) / sqrt(1 - beta2) = 3.2 times too large (0.1 g / sqrt(0.001 g^2));
    as t grows, beta^t -> 0 and the corrections fade to 1.

    Like PyTorch, t counts the steps in which the parameter had a gradient,
    and sqrt(v^) is computed as sqrt(v) / sqrt(1 - beta2^t). ``lr = 0`` is
    allowed, as in PyTorch (m, v and t still advance). Unlike PyTorch,
    eps = 0 is refused: a weight whose gradients have all been 0 would get
    0 / 0 = NaN.
    """

    hyperparameters = {"lr": NON_NEGATIVE, "betas": check_betas, "eps": EPS, "weight_decay": NON_NEGATIVE}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay

    def step(self):
        """Update every parameter that has a gradient (see the class docstring)."""
        beta1, beta2 = self.betas
        for i, p, g in self.gradients(self.weight_decay):
            w = p.data
            t = self.count_step(i)                        # this parameter's t-th step
            m, v = self.buffer(i, "m"), self.buffer(i, "v")
            m[...] = beta1 * m + (1 - beta1) * g
            v[...] = beta2 * v + (1 - beta2) * g ** 2
            m_hat = m / (1 - beta1 ** t)
            sqrt_v_hat = np.sqrt(v) / (1 - beta2 ** t) ** 0.5
            w -= self.lr * m_hat / (sqrt_v_hat + self.eps)
