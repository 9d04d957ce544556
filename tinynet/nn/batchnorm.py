"""Batch normalisation: over the features of a (N, C) batch, and over the channels of images."""
import numpy as np

from ..arguments import POSITIVE, UNIT_INTERVAL, check_number, check_positive_int
from .images import check_images
from .messages import DIVERGED
from .layer import Layer
from .parameter import Parameter


class BatchNorm1d(Layer):
    r"""Batch normalisation with PyTorch's exact semantics.

    Shapes: x (N, C) -> y (N, C); weight gamma, bias beta, running_mean,
    running_var, and mu, var, s below all (C,).

    Training -- normalise every feature with the statistics of this batch:
        mu    = (1/N) sum_n x[n]                    (C,)
        xc    = x - mu                              (N, C)  centred input
        var   = (1/N) sum_n xc[n]^2                 (C,)    biased: divides by N
        s     = 1 / sqrt(var + eps)                 (C,)
        xhat  = xc * s                              (N, C)
        y     = gamma * xhat + beta                 (N, C)
    and update the running estimates used at evaluation time:
        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var  + momentum var N/(N-1)
    (the running variance uses the UNBIASED estimate, as PyTorch does; with
    momentum=None it is a cumulative average instead.)
    Evaluation -- the running estimates are constants:
        s = 1 / sqrt(running_var + eps),  xhat = (x - running_mean) * s.

    Backward, with G = dL/dy (N, C). y = gamma * xhat + beta gives
        dbeta  = sum_n G[n]                                    (C,)
        dgamma = sum_n G[n] * xhat[n]                          (C,)
        dxhat  = G * gamma                                     (N, C)
    Evaluation: xhat = (x - running_mean) * s with s a constant, so
        dx     = dxhat * s                                     (N, C)
    Training: x reaches xhat three ways -- directly, through mu and through
    var -- so walk the forward back one line at a time:
      var:  xhat = xc (var + eps)^(-1/2), d/dvar = xc * (-1/2) (var + eps)^(-3/2):
        dvar   = -1/2 * s^3 * sum_n dxhat[n] * xc[n]           (C,)
      mu:   xhat depends on mu through xc (slope -s); var through xc too, but
            that term is dvar * (-2/N) sum_n xc[n] = 0 (centred values sum to 0):
        dmu    = -s * sum_n dxhat[n]                           (C,)
      x:    x[n] appears in xc[n] (slope s), in var (slope 2 xc[n] / N) and
            in mu (slope 1/N):
        dx     = dxhat * s + dvar * 2 * xc / N + dmu / N       (N, C)
    """

    # How messages name a sample, a feature, and the smallest batch (BatchNorm2d: image, channel).
    _sample, _feature, _enough = "row", "feature", "a batch of at least 2 rows"

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features = check_positive_int(self, "num_features", num_features)
        self.eps = check_number(self, "eps", eps, POSITIVE)
        self.momentum = check_number(self, "momentum", momentum, UNIT_INTERVAL, allow_none=True)
        C = self.num_features
        self.weight = Parameter(np.ones(C, dtype=np.float32))     # gamma
        self.bias = Parameter(np.zeros(C, dtype=np.float32))      # beta
        self.register_buffer("running_mean", np.zeros(C, dtype=np.float32))
        self.register_buffer("running_var", np.ones(C, dtype=np.float32))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x):
        self._check_features(x, self.num_features, self.weight.data.dtype)
        return self._normalize(x, x)

    def _normalize(self, x, given):
        """The forward formulas on the rows of x (N, C); ``given`` is the input as passed, for messages."""
        gamma, beta = self.weight.data, self.bias.data
        if self.training:
            N = x.shape[0]
            if N < 2:
                raise ValueError(f"{type(self).__name__} in training mode needs {self._enough} "
                                 f"(got shape {given.shape}): the variance of one value is 0. "
                                 "Use a larger batch, or model.eval() to use the running statistics")
            # Values too large for the dtype overflow here, and inf - inf is NaN: the
            # check below refuses such a batch with a clear message, which NumPy's
            # warnings would otherwise precede (or, under python -W error, replace).
            with np.errstate(over="ignore", invalid="ignore"):
                mu = x.mean(axis=0)
                xc = x - mu
                var = (xc * xc).mean(axis=0)
            # A NaN/inf anywhere in a column makes its mu, then every xc, then var
            # NaN/inf: checking var (C values) checks all of x, before anything is stored.
            if not np.isfinite(var).all():
                raise FloatingPointError(self._non_finite_message(given, var))
            self._update_running_stats(mu, var, N)
        else:
            xc = x - self.running_mean
            var = self.running_var
        s = 1.0 / np.sqrt(var + self.eps)
        xhat = xc * s
        y = gamma * xhat + beta
        return y, (self.training, xc, s, xhat)

    def _update_running_stats(self, mu, var, N):
        self.num_batches_tracked += 1
        m = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        # [...] = writes into the existing arrays, so references to them stay valid.
        self.running_mean[...] = (1.0 - m) * self.running_mean + m * mu
        self.running_var[...] = (1.0 - m) * self.running_var + m * var * (N / (N - 1))

    def _non_finite_message(self, x, var):
        bad_features = np.flatnonzero(~np.isfinite(var))
        bad_values = ~np.isfinite(x)
        if bad_values.any():
            first_sample = int(np.argwhere(bad_values)[0][0])
            cause = (f"the input holds {int(bad_values.sum())} non-finite values (NaN or inf), "
                     f"the first in {self._sample} {first_sample}")
        else:
            cause = f"the input's values are too large for {x.dtype} (max |x| = {float(np.abs(x).max()):g})"
        feature = self._feature
        return (f"{type(self).__name__}: the batch statistics are not finite ({bad_features.size} of "
                f"{self.num_features} {feature}s, the first is {feature} {int(bad_features[0])}): {cause}; "
                f"{DIVERGED}. running_mean and running_var were left unchanged")

    def backward(self, dout, cache, need_dx=True):
        training, xc, s, xhat = cache
        G = dout
        gamma = self.weight.data
        self.weight.accumulate_grad((G * xhat).sum(axis=0))           # dgamma
        self.bias.accumulate_grad(G.sum(axis=0))                      # dbeta
        if not need_dx:
            return None
        dxhat = G * gamma
        if not training:
            return dxhat * s
        N = G.shape[0]
        dvar = -0.5 * s ** 3 * (dxhat * xc).sum(axis=0)
        dmu = -s * dxhat.sum(axis=0)
        return dxhat * s + dvar * 2.0 * xc / N + dmu / N

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm2d(BatchNorm1d):
    r"""Batch normalisation of images: one mean and variance per channel, over N, H and W.

    Shapes: x (N, C, H, W) -> y (N, C, H, W); weight gamma, bias beta,
    running_mean, running_var (C,).

    Every pixel of every image is one sample of the C channels. Moving the
    channels last and listing the pixels as rows,
        rows = x.transpose(0, 2, 3, 1).reshape(N H W, C)
    BatchNorm2d is BatchNorm1d on rows: the same formulas forward and
    backward (derived in BatchNorm1d), with M = N H W rows in place of N --
    also in the unbiased running variance, var M / (M - 1), as in PyTorch.
    y and dx are moved back to (N, C, H, W) by the inverse reshape and
    transpose; dout is moved to rows like x.
    """

    _sample, _feature, _enough = "image", "channel", "at least 2 values per channel (N*H*W >= 2)"

    def forward(self, x):
        check_images(self, x, self.num_features, self.weight.data.dtype)
        y, cache = self._normalize(_pixels_as_rows(x), x)
        return _rows_as_images(y, x.shape), cache

    def backward(self, dout, cache, need_dx=True):
        dx = super().backward(_pixels_as_rows(dout), cache, need_dx=need_dx)
        return None if dx is None else _rows_as_images(dx, dout.shape)


def _pixels_as_rows(x):
    """(N, C, H, W) -> (N H W, C): one row per pixel, its channels along the row."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def _rows_as_images(rows, shape):
    """The inverse of _pixels_as_rows: (N H W, C) -> (N, C, H, W)."""
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
