"""The softmax cross-entropy exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np


class SoftmaxCrossEntropy:
    """Mean softmax cross-entropy of logits z (N, C) and labels y (N,).

        p[n, c] = exp(z[n, c]) / sum_k exp(z[n, k])          (N, C)
        L       = -(1/N) sum_n log p[n, y[n]]                scalar

    forward(z, y) -> (L, cache);  backward(dout, cache) -> dL/dz (N, C),
    where dout = d(final loss)/dL, 1.0 when L is the final loss.
    """

    def forward(self, z, y):
        shifted = z - z.max(axis=1, keepdims=True)           # same p, no overflow
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        N = len(y)
        loss = -np.log(p[np.arange(N), y]).mean()
        return float(loss), (p, y)

    def backward(self, dout, cache):
        p, y = cache
        N = len(y)
        # BEGIN SOLUTION
        # TODO: return dz = dout * dL/dz (N, C)
        dz = p.copy()                                        # softmax p     (N, C)
        dz[np.arange(N), y] -= 1.0                           # p - onehot(y)
        return dout * dz / N                                 # mean over the batch
        # END SOLUTION
