"""Dropout: randomly silence units during training."""
from .. import random
from .module import Layer


def check_drop_probability(layer, p):
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ValueError(f"{layer}: p is the probability of dropping and must be in [0, 1), got {p!r}")
    return float(p)


def keep_mask(shape, p, dtype):
    """Bernoulli(1 - p) mask scaled by 1 / (1 - p), so that E[mask] = 1."""
    keep = random.generator().random(shape, dtype=dtype) >= p
    mask = keep.astype(dtype)
    mask *= 1.0 / (1.0 - p)
    return mask


class Dropout(Layer):
    r"""Inverted dropout, as ``torch.nn.Dropout(p)``; p is the DROP probability.

    Training: every element is zeroed with probability p and the survivors are
    scaled by 1/(1-p):
        mask[n, j] = Bernoulli(1 - p) / (1 - p),   y = x * mask
    so E[y] = x, and evaluation is the plain identity -- nothing to rescale at
    test time (that is the "inverted" part). A new mask is drawn at every call.

    Shapes: x (N, ...) -> y (N, ...), mask of x's shape.

    Backward: y is x times a constant mask, so dx = dout * mask.
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = check_drop_probability("Dropout", p)

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x, None                  # identity
        mask = keep_mask(x.shape, self.p, x.dtype)
        return x * mask, mask

    def backward(self, dout, cache):
        mask = cache
        return dout if mask is None else dout * mask

    def extra_repr(self):
        return f"p={self.p}"
