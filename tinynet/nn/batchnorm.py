"""Batch normalisation over the features of a (N, C) batch."""
import numpy as np

from .module import Layer, Parameter


class BatchNorm1d(Layer):
    r"""Batch normalisation with PyTorch's exact semantics.

    Shapes: x (N, C) -> y (N, C); weight gamma, bias beta, running_mean and
    running_var all (C,).

    Training -- normalise every feature j with the statistics of this batch:
        mu    = (1/N) sum_n x[n]                    (C,)
        var   = (1/N) sum_n (x[n] - mu)^2           (C,)  biased: divides by N
        xhat  = (x - mu) / sqrt(var + eps)          (N, C)
        y     = gamma * xhat + beta                 (N, C)
    and update the running estimates used at evaluation time:
        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var  + momentum var N/(N-1)
    (the running variance uses the UNBIASED estimate, as PyTorch does; with
    momentum=None it is a cumulative average instead.)
    Evaluation: xhat = (x - running_mean) / sqrt(running_var + eps).

    Backward, with G = dL/dy and s = 1/sqrt(var + eps):
        dbeta  = sum_n G[n]                         (C,)
        dgamma = sum_n G[n] * xhat[n]               (C,)
        dxhat  = G * gamma                          (N, C)
    In training mu and var depend on every x[k], so x[k] reaches xhat[n] in
    three ways: directly, through mu, and through var. Differentiating,
        d xhat[n] / d x[k] = s (delta_nk - 1/N) - s xhat[n] xhat[k] / N,
    and summing dxhat[n] times that over n gives
        dx = s * (dxhat - mean_n(dxhat) - xhat * mean_n(dxhat * xhat)).
    In evaluation mu and var are constants and dx = dxhat * s.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive integer, got {num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum!r}")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.weight = Parameter(np.ones(num_features, dtype=np.float32))    # gamma
        self.bias = Parameter(np.zeros(num_features, dtype=np.float32))     # beta
        self.register_buffer("running_mean", np.zeros(num_features, dtype=np.float32))
        self.register_buffer("running_var", np.ones(num_features, dtype=np.float32))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        self._check_features(x, self.num_features, self.weight.data.dtype)
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError("BatchNorm1d in training mode needs a batch of at least 2 rows "
                                 f"(got shape {x.shape}): the variance of one value is 0. "
                                 "Use a larger batch, or model.eval() to use the running statistics")
            mu = x.mean(axis=0)
            xc = x - mu
            var = (xc * xc).mean(axis=0)
            inv_std = 1.0 / np.sqrt(var + self.eps)
            xhat = xc * inv_std
            self._update_running_stats(mu, var, n)
        else:
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            xhat = (x - self.running_mean) * inv_std
        out = self.weight.data * xhat + self.bias.data
        return out, (xhat, inv_std, self.training)

    def _update_running_stats(self, mu, var, n):
        self.num_batches_tracked += 1
        m = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        # In place, so arrays handed out earlier (optimizers, views) stay valid.
        self.running_mean *= 1.0 - m
        self.running_mean += m * mu
        self.running_var *= 1.0 - m
        self.running_var += (m * n / (n - 1)) * var

    def backward(self, dout, cache, need_dx=True):
        xhat, inv_std, used_batch_stats = cache
        self.weight.accumulate_grad((dout * xhat).sum(axis=0))
        self.bias.accumulate_grad(dout.sum(axis=0))
        if not need_dx:
            return None
        dxhat = dout * self.weight.data
        if not used_batch_stats:
            return dxhat * inv_std
        return inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
