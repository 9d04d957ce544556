"""DropConnect: randomly drop weights (connections) instead of units."""
from ..arguments import check_drop_probability
from .dropout import keep_mask
from .linear import Linear


class DropConnect(Linear):
    r"""A Linear layer whose weights are dropped with probability p in training.

    Wan et al. (2013): where Dropout zeroes units (rows of activations),
    DropConnect zeroes individual connections W[j, i].

    Shapes: x (N, in) -> y (N, out); W, M and W~ (out, in); b (out,).

    Training:
        M[j, i] = Bernoulli(1 - p) / (1 - p)     (inverted scaling, E[M] = 1)
        W~ = M * W                               (elementwise)
        y = x W~^T + b
    Evaluation: y = x W^T + b, the plain Linear layer, because E[W~] = W.

    Choices, documented because the paper leaves room:
      * one mask per forward call, shared by the mini-batch (the paper draws
        one per example, which needs N weight matrices of memory);
      * the bias is never dropped;
      * at evaluation we use the mean weights, as inverted dropout does,
        instead of the paper's Gaussian moment-matching sampler.

    Backward, with G = dL/dy (N, out). y is Linear's formula with W~ in
    place of W, so Linear's derivation gives dW~ = G^T x, db and dx; and
    W~[j, i] = M[j, i] W[j, i], so dL/dW[j, i] = dL/dW~[j, i] M[j, i]:
        dW = (G^T x) * M         (out, in)
        db = G.sum(axis=0)       (out,)
        dx = G W~                (N, in)
    Dropped weights (M = 0) get no gradient from this batch.
    """

    def __init__(self, in_features, out_features, p=0.5, bias=True):
        super().__init__(in_features, out_features, bias=bias)
        self.p = check_drop_probability(self, p)

    def forward(self, x):
        self._check_features(x, self.in_features, self.weight.data.dtype)
        W = self.weight.data
        if self.training and self.p > 0.0:
            M = keep_mask(W.shape, self.p, x.dtype)
            W_tilde = M * W
        else:
            M, W_tilde = None, W            # evaluation (or p = 0): the plain Linear layer
        y = x @ W_tilde.T
        if self.bias is not None:
            y += self.bias.data
        return y, (x, M, W_tilde)

    def backward(self, dout, cache, need_dx=True):
        x, M, W_tilde = cache
        G = dout
        dW = G.T @ x                                          # dW~ = G^T x
        if M is not None:
            dW *= M                                           # dW = dW~ * M
        self.weight.accumulate_grad(dW)
        if self.bias is not None:
            self.bias.accumulate_grad(G.sum(axis=0))          # db = sum_n G[n]
        if not need_dx:
            return None
        return G @ W_tilde                                    # dx = G W~

    def extra_repr(self):
        return super().extra_repr() + f", p={self.p}"
