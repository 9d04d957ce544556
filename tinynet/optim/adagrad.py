"""Adagrad: a step size per weight that shrinks with the gradients it has seen."""
import numpy as np

from ..arguments import NON_NEGATIVE
from .optimizer import EPS, Optimizer


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011) exactly as ``torch.optim.Adagrad``
    computes it. For every parameter w, at its t-th step (t counts the steps
    in which w had a gradient):

        g   = dL/dw + weight_decay * w           (L2 added to the gradient, as PyTorch does)
        lr_t = lr / (1 + (t - 1) * lr_decay)     (an optional extra decay; lr_decay=0: lr_t = lr)
        s  <- s + g * g                          (s starts at initial_accumulator_value)
        w  <- w - lr_t * g / (sqrt(s) + eps)

    Why divide by sqrt(s). s is the sum of this weight's squared gradients,
    so sqrt(s) measures how much this weight has been pushed so far:

    * Each weight gets its own step size lr / sqrt(s). A weight whose
      gradients are large or frequent (a common input feature) takes small
      steps; a weight that rarely gets a gradient (a rare feature, an input
      pixel that is almost always 0) keeps large ones, so it still learns
      from the few examples that involve it. One global lr could not suit both.
    * The step does not depend on the gradient's scale: multiplying the loss
      by c multiplies g and sqrt(s) by c, and g / sqrt(s) stays the same
      (apart from eps). If the same gradient g arrives every step, s = t g^2
      and the step is lr * sign(g) / sqrt(t).
    * s only grows, so the steps shrink like 1 / sqrt(t): a built-in
      annealing, which is what convergence proofs for convex problems need.
      It is also Adagrad's weakness in deep networks: the sum never forgets,
      and the steps can become too small long before training is done.
      RMSprop replaces the sum by a running average for that reason.

    eps keeps the step finite while s = 0 (a weight whose gradients have all
    been 0). ``initial_accumulator_value`` > 0 starts s above 0, which damps
    the first steps: without it the first step is lr * g / |g|, a full lr
    for every weight whatever its gradient.

    ``lr = 0`` is allowed, as in PyTorch (s and t still advance). Unlike
    PyTorch, eps = 0 is refused: a weight whose gradients have all been 0
    would get 0 / 0 = NaN.
    """

    hyperparameters = {"lr": NON_NEGATIVE, "lr_decay": NON_NEGATIVE, "weight_decay": NON_NEGATIVE,
                       "initial_accumulator_value": NON_NEGATIVE, "eps": EPS}

    def __init__(self, params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        super().__init__(params)
        self.lr, self.lr_decay, self.weight_decay = lr, lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps

    def step(self):
        """Update every parameter that has a gradient (see the class docstring)."""
        for i, p, g in self.gradients(self.weight_decay):
            w = p.data
            t = self.count_step(i)                       # this parameter's t-th step
            lr_t = self.lr / (1 + (t - 1) * self.lr_decay)
            s = self.buffer(i, "sum", self.initial_accumulator_value)
            s += g * g
            w -= lr_t * (g / (np.sqrt(s) + self.eps))
