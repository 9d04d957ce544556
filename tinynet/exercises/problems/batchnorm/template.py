"""The BatchNorm1d exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np

from tinynet.nn.layer import Layer
from tinynet.nn.parameter import Parameter


class BatchNorm1d(Layer):
    """Batch normalisation in training mode (statistics of the batch).

    Shapes: x (N, C) -> y (N, C); gamma (weight) and beta (bias) (C,).
        mu   = (1/N) sum_n x[n]                 (C,)
        var  = (1/N) sum_n (x[n] - mu)^2        (C,)
        s    = 1 / sqrt(var + eps)              (C,)
        xhat = (x - mu) * s                     (N, C)
        y    = gamma * xhat + beta              (N, C)
    (The running statistics used in evaluation are left out: they do not
    take part in backpropagation.)
    """

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = Parameter(np.ones(num_features))       # gamma
        self.bias = Parameter(np.zeros(num_features))        # beta

    def forward(self, x):
        mu = x.mean(axis=0)
        xc = x - mu                                          # x - mu  (N, C)
        var = (xc ** 2).mean(axis=0)
        s = 1.0 / np.sqrt(var + self.eps)
        xhat = xc * s
        out = self.weight.data * xhat + self.bias.data
        return out, (xhat, xc, s)

    def backward(self, dout, cache):
        """dout = G = dL/dy (N, C). Add dL/dgamma and dL/dbeta to the
        parameters' gradients and return dL/dx (N, C)."""
        xhat, xc, s = cache
        N = dout.shape[0]
        # BEGIN SOLUTION
        # TODO: dgamma (C,): self.weight.accumulate_grad(dgamma)
        # TODO: dbeta (C,):  self.bias.accumulate_grad(dbeta)
        # TODO: dxhat -> dvar -> dmu -> return dx (N, C)
        self.weight.accumulate_grad((dout * xhat).sum(axis=0))   # dgamma = sum_n G xhat
        self.bias.accumulate_grad(dout.sum(axis=0))              # dbeta  = sum_n G
        dxhat = dout * self.weight.data                          # (N, C)
        # xhat = xc * s with s = (var + eps)^(-1/2):  ds/dvar = -s^3 / 2
        dvar = (dxhat * xc).sum(axis=0) * (-0.5 * s ** 3)        # (C,)
        # xc = x - mu reaches the loss directly and through var = mean(xc^2);
        # the second path gives dvar * (-2/N) sum_n xc[n] = 0, as sum_n xc[n] = 0.
        dmu = -(dxhat * s).sum(axis=0)                           # (C,)
        # x reaches xhat directly, through var (dvar/dx = 2 xc / N), through mu (1/N).
        return dxhat * s + dvar * 2.0 * xc / N + dmu / N
        # END SOLUTION
