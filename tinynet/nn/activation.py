"""Activation functions."""
from .module import Layer


class ReLU(Layer):
    r"""y = max(x, 0), elementwise.

    Shapes: x (N, ...) -> y (N, ...), mask of x's shape.

    Backward: dy/dx is 1 where x > 0 and 0 where x < 0 (at the kink x = 0
    we take 0, as PyTorch does), so with the mask m = [x > 0]:
        dx = dout * m

    The mask is stored as 0.0/1.0 in x's dtype rather than as booleans:
    float * float is a plain vectorised product, while float * bool makes
    NumPy convert the booleans on the fly, which costs more than the
    conversion done once here (the mask is used twice: forward and backward).
    """

    def forward(self, x):
        mask = (x > 0).astype(x.dtype)
        return x * mask, mask

    def backward(self, dout, cache):
        mask = cache
        return dout * mask
