"""DropConnect: randomly drop weights (connections) instead of units."""
from .dropout import check_drop_probability, keep_mask
from .linear import Linear


class DropConnect(Linear):
    r"""A Linear layer whose weights are dropped with probability p in training.

    Wan et al. (2013): where Dropout zeroes units (rows of activations),
    DropConnect zeroes individual connections W[j, i]. Training:
        M[j, i] = Bernoulli(1 - p) / (1 - p)     (inverted scaling, E[M] = 1)
        W~ = M * W                               (out, in)
        y = x W~^T + b                           (N, out)
    Evaluation: y = x W^T + b, the plain Linear layer, because E[W~] = W.

    Choices, documented because the paper leaves room:
      * one mask per forward call, shared by the mini-batch (the paper draws
        one per example, which needs N weight matrices of memory);
      * the bias is never dropped;
      * at evaluation we use the mean weights, as inverted dropout does,
        instead of the paper's Gaussian moment-matching sampler.

    Backward, with G = dL/dy (N, out). y is a Linear layer in W~, and
    W~ = M * W elementwise, so by the chain rule:
        dW = (G^T x) * M       (out, in)
        db = G.sum(0)          (out,)
        dx = G W~              (N, in)
    Dropped weights get no gradient from this batch.
    """

    def __init__(self, in_features, out_features, p=0.5, bias=True):
        super().__init__(in_features, out_features, bias=bias)
        self.p = check_drop_probability("DropConnect", p)

    def forward(self, x):
        self._check_features(x, self.in_features, self.weight.data.dtype)
        if self.training and self.p > 0.0:
            mask = keep_mask(self.weight.data.shape, self.p, x.dtype)
            weight = self.weight.data * mask
        else:
            mask, weight = None, self.weight.data
        out = x @ weight.T
        if self.bias is not None:
            out += self.bias.data
        return out, (x, mask, weight)

    def backward(self, dout, cache, need_dx=True):
        x, mask, weight = cache
        dw = dout.T @ x
        if mask is not None:
            dw *= mask
        self.weight.accumulate_grad(dw)
        if self.bias is not None:
            self.bias.accumulate_grad(dout.sum(axis=0))
        return dout @ weight if need_dx else None

    def extra_repr(self):
        return super().extra_repr() + f", p={self.p}"
