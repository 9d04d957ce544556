"""The Linear exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np

import tinynet as tn
from tinynet.nn.layer import Layer
from tinynet.nn.parameter import Parameter


class Linear(Layer):
    """y = x W^T + b

    Shapes: x (N, in_features) -> y (N, out_features);
            weight W (out_features, in_features), bias b (out_features,).
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        bound = 1.0 / np.sqrt(in_features)
        rng = tn.random.generator()
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)), penalized=True)
        self.bias = Parameter(rng.uniform(-bound, bound, out_features))

    def forward(self, x):
        out = x @ self.weight.data.T + self.bias.data         # (N, out)
        return out, x                                         # backward needs x

    def backward(self, dout, cache):
        """dout = G = dL/dy (N, out). Add dL/dW and dL/db to the parameters'
        gradients (self.weight.accumulate_grad(...)) and return dL/dx (N, in)."""
        x = cache
        # BEGIN SOLUTION
        # TODO: dW = dL/dW (out, in): self.weight.accumulate_grad(dW)
        # TODO: db = dL/db (out,):    self.bias.accumulate_grad(db)
        # TODO: return dx = dL/dx (N, in)
        self.weight.accumulate_grad(dout.T @ x)       # dW = G^T x       (out, in)
        self.bias.accumulate_grad(dout.sum(axis=0))   # db = sum_n G[n]  (out,)
        return dout @ self.weight.data                # dx = G W         (N, in)
        # END SOLUTION
