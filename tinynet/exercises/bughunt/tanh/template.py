"""The Tanh bug hunt's fixed code: problem.toml beside it plants the bug, check.py grades it."""
import numpy as np

from tinynet.nn.layer import Layer


class Tanh(Layer):
    """y = tanh(x), elementwise.   Shapes: x (N, ...) -> y of the same shape."""

    def forward(self, x):
        y = np.tanh(x)
        return y, y

    def backward(self, dout, cache):
        """dout = dL/dy (x's shape); return dL/dx (x's shape)."""
        y = cache
        return dout * (1.0 - y ** 2)                  # tanh' = 1 - tanh^2
