"""Dropout: randomly silence units during training."""
import numpy as np

from .. import random
from ..arguments import check_drop_probability
from .layer import Layer


def keep_mask(shape, p, dtype):
    """mask = Bernoulli(1 - p) / (1 - p): 0 with probability p, else 1/(1-p); E[mask] = 1."""
    # NumPy draws uniform numbers only as float32 or float64 (float16 layers use float32 draws).
    draw_dtype = np.float64 if dtype == np.float64 else np.float32
    keep = random.generator().random(shape, dtype=draw_dtype) >= p     # True with probability 1 - p
    return keep.astype(dtype) / (1.0 - p)


class Dropout(Layer):
    r"""Inverted dropout, as ``torch.nn.Dropout(p)``; p is the DROP probability.

    Shapes: x (N, ...) -> y (N, ...), mask of x's shape.

    Training: every element is zeroed with probability p and the survivors are
    scaled by 1/(1-p):
        mask[n, j] = Bernoulli(1 - p) / (1 - p),   y = x * mask
    so E[y] = x, and evaluation is the plain identity -- nothing to rescale at
    test time (that is the "inverted" part). A new mask is drawn at every call.

    Backward: y[n, j] = x[n, j] * mask[n, j] with the mask a constant, so
        dx = dout * mask
    (and dx = dout in evaluation, where y = x).
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = check_drop_probability(self, p)

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x, None                  # identity
        mask = keep_mask(x.shape, self.p, x.dtype)
        return x * mask, mask

    def backward(self, dout, cache):
        mask = cache
        if mask is None:
            return dout
        return dout * mask

    def extra_repr(self):
        return f"p={self.p}"
