"""The Dropout exercise's code: problem.toml beside it states it, check.py grades it."""
import tinynet as tn
from tinynet.nn.layer import Layer


class Dropout(Layer):
    """Inverted dropout; p is the probability of DROPPING a unit.

    Training: mask[n, j] = Bernoulli(1 - p) / (1 - p), y = x * mask (so
    E[y] = x); evaluation: y = x. Shapes: x (N, ...) -> y, mask of x's shape.
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training:
            return x, None
        keep = tn.random.generator().random(x.shape) >= self.p
        mask = keep / (1.0 - self.p)                         # 0 or 1/(1-p)
        return x * mask, mask

    def backward(self, dout, cache):
        """dout = dL/dy (x's shape); return dL/dx."""
        mask = cache
        if mask is None:                                     # evaluation: identity
            return dout
        # BEGIN SOLUTION
        # TODO: return dx = dL/dx (x's shape)
        return dout * mask                                   # dropped units get no gradient
        # END SOLUTION
