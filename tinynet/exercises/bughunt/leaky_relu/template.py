"""The LeakyReLU bug hunt's fixed code: problem.toml beside it plants the bug, check.py grades it."""
import numpy as np

from tinynet.nn.layer import Layer


class LeakyReLU(Layer):
    """y = x if x > 0 else negative_slope * x, elementwise.   Shapes: x (N, ...) -> y of the same shape."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return np.where(x > 0, x, self.negative_slope * x), x

    def backward(self, dout, cache):
        """dout = dL/dy (x's shape); return dL/dx (x's shape)."""
        x = cache
        return dout * np.where(x > 0, 1.0, self.negative_slope)   # a slope on both sides
