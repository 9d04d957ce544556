"""Reshape images into vectors."""
from .layer import Layer


class Flatten(Layer):
    r"""(N, d1, d2, ...) -> (N, d1 * d2 * ...), e.g. (N, 28, 28) -> (N, 784).

    Backward: flattening only moves numbers around, so the gradient is the
    upstream one put back into the input's shape.
    """

    def forward(self, x):
        if getattr(x, "ndim", 0) < 2:
            raise ValueError(f"Flatten expects an input of shape (N, ...), got {getattr(x, 'shape', type(x).__name__)}")
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, dout, cache):
        input_shape = cache
        return dout.reshape(input_shape)
