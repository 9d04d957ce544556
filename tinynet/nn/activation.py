"""Activation functions."""
from .module import Layer


class ReLU(Layer):
    r"""y = max(x, 0), elementwise.

    Shapes: x (N, ...) -> y (N, ...)

    Backward: dy/dx is 1 where x > 0 and 0 where x < 0 (at the kink x = 0
    we take 0, as PyTorch does), so with the mask m = [x > 0]:
        dx = dout * m
    """

    def forward(self, x):
        mask = x > 0
        return x * mask, mask

    def backward(self, dout, cache):
        mask = cache
        return dout * mask
