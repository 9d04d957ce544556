"""Fully connected layer."""
import functools
import math

import numpy as np

from .. import random
from .module import Layer, Parameter


@functools.lru_cache(maxsize=32)
def batch_ones(n, dtype):
    """A read-only vector of n ones, made once per (n, dtype) and reused."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


class Linear(Layer):
    r"""y = x W^T + b

    Shapes
        x: (N, in_features)   ->   y: (N, out_features)
        weight W: (out_features, in_features),  bias b: (out_features,)

    Backward, with G = dL/dy of shape (N, out_features). Since
    y[n, j] = sum_i x[n, i] W[j, i] + b[j]:
        dL/dW[j, i] = sum_n G[n, j] x[n, i]   ->  dW = G^T x     (out, in)
        dL/db[j]    = sum_n G[n, j]           ->  db = G^T 1     (out,)
        dL/dx[n, i] = sum_j G[n, j] W[j, i]   ->  dx = G W       (N, in)
    The batch sum in dW and db appears because every row of x used the same
    W and b. b is a weight on an input that is always 1, so db is dW's
    formula with x replaced by a vector of N ones: the sum of G's rows.

    Speed notes (one step of the lecture's network is ~150 us, so a few us
    matter): G^T 1 as a matrix-vector product is half the cost of
    ``G.sum(axis=0)`` on small arrays; and ``np.dot`` zero-fills its output
    before BLAS overwrites it, so the weight gradient -- the largest array
    of the step -- uses ``@``, which skips that pass, while the small
    products keep ``np.dot``, whose call overhead is lower.

    Initialisation as in PyTorch: W and b uniform in [-1/sqrt(in), 1/sqrt(in)].
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{type(self).__name__}: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1.0 / math.sqrt(in_features)
        rng = random.generator()
        w = rng.uniform(-bound, bound, (out_features, in_features))
        self.weight = Parameter(w.astype(np.float32), penalized=True)
        if bias:
            self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(np.float32))
        else:
            self.bias = None

    def forward(self, x):
        self._check_features(x, self.in_features, self.weight.data.dtype)
        out = np.dot(x, self.weight.data.T)                              # x W^T
        if self.bias is not None:
            out += self.bias.data
        return out, x                       # backward needs only x

    def backward(self, dout, cache, need_dx=True):
        x = cache
        self.weight.accumulate_grad(dout.T @ x)                           # G^T x
        if self.bias is not None:
            ones = batch_ones(len(dout), dout.dtype)
            self.bias.accumulate_grad(np.dot(ones, dout))                # G^T 1
        return np.dot(dout, self.weight.data) if need_dx else None       # G W

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
