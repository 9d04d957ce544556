"""The L2 penalty exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np


class L2Penalty:
    """The lecture's weight decay term lambda * Omega(w), Omega(w) = sum_i w_i^2,
    added to the loss:  L~ = L + lambda * sum_i w_i^2.

    forward(w) -> (penalty, cache);  backward(dout, cache) -> d penalty / dw
    (w's shape), times dout = d(final loss)/d(penalty), 1.0 normally.
    """

    def __init__(self, lam):
        self.lam = lam

    def forward(self, w):
        return float(self.lam * np.sum(w ** 2)), w

    def backward(self, dout, cache):
        w = cache
        # BEGIN SOLUTION
        # TODO: return dw = dout * d(penalty)/dw (w's shape)
        return dout * 2.0 * self.lam * w                     # d(lam sum w^2)/dw = 2 lam w
        # END SOLUTION
