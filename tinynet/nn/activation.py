"""Activation functions: elementwise nonlinearities, and softmax."""
import numpy as np

from ..arguments import FINITE, check_axis, check_number
from .layer import Layer


class ReLU(Layer):
    r"""y = max(x, 0), elementwise.

    Shapes: x (N, ...) -> y (N, ...), mask of x's shape.

    Backward: dy/dx is 1 where x > 0 and 0 where x < 0 (at the kink x = 0
    we take 0, as PyTorch does), so with the mask m = [x > 0]:
        dx = dout * m
    """

    def forward(self, x):
        y = np.maximum(x, 0)
        mask = x > 0
        return y, mask

    def backward(self, dout, cache):
        mask = cache
        return dout * mask


class LeakyReLU(Layer):
    r"""y = x where x > 0, a * x elsewhere (a = negative_slope), elementwise.

    Shapes: x (N, ...) -> y (N, ...), mask of x's shape.

    Backward: dy/dx is 1 where x > 0 and a where x <= 0 (at the kink x = 0
    we take a, as PyTorch does), so with the mask m = [x > 0]:
        dx = dout       where m
        dx = a * dout   elsewhere
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = check_number(self, "negative_slope", negative_slope, FINITE)

    def forward(self, x):
        a = self.negative_slope
        mask = x > 0
        y = np.where(mask, x, a * x)
        return y, mask

    def backward(self, dout, cache):
        a = self.negative_slope
        mask = cache
        return np.where(mask, dout, a * dout)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Layer):
    r"""y = 1 / (1 + exp(-x)), elementwise.

    Shapes: x (N, ...) -> y (N, ...); the cache is y.

    Backward: with e = exp(-x), y = 1 / (1 + e) and
        dy/dx = e / (1 + e)^2 = [1 / (1 + e)] [e / (1 + e)] = y (1 - y),
    so the output alone gives the derivative:
        dx = dout * y * (1 - y)
    """

    def forward(self, x):
        # For x < -88 (float32) exp(-x) overflows to inf, and 1 / (1 + inf) = 0
        # is the right limit: silence the warning, not the result.
        with np.errstate(over="ignore"):
            y = 1.0 / (1.0 + np.exp(-x))
        return y, y

    def backward(self, dout, cache):
        y = cache
        return dout * y * (1.0 - y)


class Tanh(Layer):
    r"""y = tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)), elementwise.

    Shapes: x (N, ...) -> y (N, ...); the cache is y.

    Backward: d tanh(x)/dx = 1 / cosh(x)^2 = 1 - tanh(x)^2 = 1 - y^2, so
        dx = dout * (1 - y^2)
    """

    def forward(self, x):
        y = np.tanh(x)
        return y, y

    def backward(self, dout, cache):
        y = cache
        return dout * (1.0 - y * y)


class Softmax(Layer):
    r"""y = softmax(x) along axis ``dim``, as ``torch.nn.Softmax(dim)``.

    Shapes: x (N, C) -> y (N, C) for dim=1 (or -1); any axis of any array
    works the same way. The cache is y.

    Forward, for each row (dim=1):
        y[c] = exp(x[c]) / sum_k exp(x[k])
    computed with x - max_k x[k] in place of x: adding a constant to a row
    changes nothing, and it keeps exp from overflowing.

    Backward (one row; the Jacobian-vector product, never the C x C Jacobian):
        dy[k]/dx[c] = y[k] ([k == c] - y[c])
        dx[c] = sum_k dout[k] dy[k]/dx[c]
              = sum_k dout[k] y[k] [k == c] - y[c] sum_k dout[k] y[k]
              = y[c] dout[c] - y[c] s,        with s = sum_k dout[k] y[k],
    so  dx = y * (dout - s),  s summed along ``dim`` (kept as a size-1 axis).

    For a classifier's loss use CrossEntropyLoss on the logits instead: it
    fuses softmax and log into a simpler, more accurate gradient.
    """

    def __init__(self, dim=1):
        super().__init__()
        self.dim = check_axis(self, "dim", dim)

    def forward(self, x):
        if not isinstance(x, np.ndarray) or not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"Softmax(dim={self.dim}) needs an array with axis {self.dim}, got "
                             f"{getattr(x, 'shape', type(x).__name__)}")
        exp = np.exp(x - x.max(axis=self.dim, keepdims=True))
        y = exp / exp.sum(axis=self.dim, keepdims=True)
        return y, y

    def backward(self, dout, cache):
        y = cache
        s = (dout * y).sum(axis=self.dim, keepdims=True)
        return y * (dout - s)

    def extra_repr(self):
        return f"dim={self.dim}"
