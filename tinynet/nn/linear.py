"""Fully connected layer."""
from ..arguments import check_positive_int
from .init import fan_in_uniform
from .layer import Layer
from .parameter import Parameter


class Linear(Layer):
    r"""y = x W^T + b

    Shapes
        x: (N, in_features)   ->   y: (N, out_features)
        weight W: (out_features, in_features),  bias b: (out_features,)

    Forward, entry by entry:
        y[n, j] = sum_i x[n, i] W[j, i] + b[j]

    Backward, with G = dL/dy of shape (N, out_features). Each y[n, j]
    depends on W[j, i] through x[n, i], on b[j] with slope 1, and on x[n, i]
    through W[j, i], so by the chain rule:
        dL/dW[j, i] = sum_n G[n, j] x[n, i]   ->  dW = G^T x          (out, in)
        dL/db[j]    = sum_n G[n, j]           ->  db = G.sum(axis=0)  (out,)
        dL/dx[n, i] = sum_j G[n, j] W[j, i]   ->  dx = G W            (N, in)
    The sums over n appear because every row of the batch used the same W
    and b: their gradients add up over the batch.

    ``need_dx=False`` (the optional hook of the layer contract) skips dx when
    nobody needs it: the first layer of a model, whose input is the data.

    Initialisation as in PyTorch: W and b uniform in [-1/sqrt(in), 1/sqrt(in)].
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = check_positive_int(self, "in_features", in_features)
        self.out_features = check_positive_int(self, "out_features", out_features)
        size = (self.out_features, self.in_features)
        self.weight = Parameter(fan_in_uniform(size, self.in_features), penalized=True)
        self.bias = Parameter(fan_in_uniform(self.out_features, self.in_features)) if bias else None

    def forward(self, x):
        self._check_features(x, self.in_features, self.weight.data.dtype)
        W = self.weight.data
        y = x @ W.T
        if self.bias is not None:
            y += self.bias.data
        return y, x                     # backward needs only x

    def backward(self, dout, cache, need_dx=True):
        x = cache
        G = dout
        W = self.weight.data
        self.weight.accumulate_grad(G.T @ x)                  # dW = G^T x
        if self.bias is not None:
            self.bias.accumulate_grad(G.sum(axis=0))          # db = sum_n G[n]
        if not need_dx:
            return None
        return G @ W                                          # dx = G W

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
