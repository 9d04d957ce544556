"""Max and average pooling over windows of a batch of images."""
import numpy as np

from ..arguments import check_pair
from .im2col import add_window_entries, im2col, output_size
from .images import check_images, check_window_fits
from .layer import Layer


class _Pool2d(Layer):
    """What both poolings share: the window arguments and the input checks.

    stride defaults to kernel_size (windows side by side); padding may be at
    most half the kernel, as in PyTorch, so that no window is all padding.
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = check_pair(self, "kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else check_pair(self, "stride", stride)
        self.padding = check_pair(self, "padding", padding, smallest=0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding must be at most half of kernel_size, got padding="
                             f"{self.padding} and kernel_size={self.kernel_size} (a window could hold "
                             "padding only)")

    def _windows(self, x, pad_value):
        """x's windows, entries along axis 2: (N, C, kh kw, Ho Wo), and (Ho, Wo)."""
        check_images(self, x)
        check_window_fits(self, x, self.kernel_size, self.padding)
        N, C = x.shape[:2]
        Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        X = im2col(x, self.kernel_size, self.stride, self.padding, pad_value)
        return X.reshape(N, C, -1, Ho * Wo), (Ho, Wo)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    r"""y = the largest entry of each window, channel by channel.

    Shapes: x (N, C, H, W) -> y (N, C, Ho, Wo), with Ho, Wo as for Conv2d
    (stride defaults to kernel_size); xp = x padded with -inf, which never wins.

    Forward, entry by entry, with the window's K = kh kw entries numbered
    k = i kw + j in reading order (row by row):
        y[n, c, p, q] = max_k xp[n, c, p sh + i, q sw + j]
        a[n, c, p, q] = the k that attains it (cached for backward)
    computed by scanning k = 0 .. K-1 over every window at once (the rows of
    im2col's columns), with the running maximum and its position.
    Ties: the FIRST maximum in reading order wins, as in PyTorch (an entry
    must be strictly greater to take over); a NaN always takes over, so a
    window holding a NaN outputs NaN and routes its gradient to its last NaN,
    as PyTorch's CPU kernel does; a window whose entries are all -inf keeps
    its first entry inside the image.

    Backward: y is a copy of the winning entry, so that entry receives dout
    (slope 1) and the other entries of the window nothing (slope 0):
        dX[n, c, k, (p, q)] = dout[n, c, p, q] if k = a[n, c, p, q], else 0
    and a pixel in several windows (stride < kernel_size) gets the sum over
    the windows it won: dx = col2im(dX). dX is as large as im2col's columns
    and mostly zeros, so it is built one entry k at a time, the same scan as
    the forward's, each added onto its pixels (``add_window_entries``).
    """

    def forward(self, x):
        X, (Ho, Wo) = self._windows(x, pad_value=-np.inf)       # (N, C, K, Ho Wo)
        N, C, K, L = X.shape
        best = np.full((N, C, L), -np.inf, dtype=x.dtype)      # the running maximum
        # Its position, in the smallest integer type that holds K - 1 (uint8 up to 256 entries).
        arg = self._first_inside(x.shape, index=np.min_scalar_type(K - 1))
        for k in range(K):                                      # in reading order
            entry = X[:, :, k]
            # Strictly greater: on a tie the earlier entry stays.
            better = (entry > best) | np.isnan(entry)
            best = np.maximum(best, entry)                      # NaN wins here too
            # arg becomes k where better; k exceeds every earlier position, so a maximum
            # does it (np.where: 8-10 % more instructions per CNN step, docs/performance.md).
            arg = np.maximum(arg, better * arg.dtype.type(k))
        return best.reshape(N, C, Ho, Wo), (x.shape, arg.reshape(N, C, Ho, Wo))

    def _first_inside(self, x_shape, index):
        """Each window's first entry inside the image (0 without padding), of dtype ``index``."""
        if self.padding == (0, 0):
            return np.zeros(1, dtype=index)
        inside = np.ones((1, 1) + x_shape[2:], dtype=np.int8)
        return im2col(inside, self.kernel_size, self.stride, self.padding).argmax(axis=1).astype(index)

    def backward(self, dout, cache):
        x_shape, arg = cache                                    # arg: (N, C, Ho, Wo)
        kw = self.kernel_size[1]

        def entry(i, j):                                        # dX[:, :, k] for k = i kw + j
            return (arg == i * kw + j) * dout
        return add_window_entries(entry, x_shape, dout.dtype, self.kernel_size, self.stride,
                                  self.padding)


class AvgPool2d(_Pool2d):
    r"""y = the mean of each window, channel by channel.

    Shapes: x (N, C, H, W) -> y (N, C, Ho, Wo), with Ho, Wo as for Conv2d
    (stride defaults to kernel_size); xp = x padded with zeros. As PyTorch's
    defaults (count_include_pad=True, ceil_mode=False): the padding counts,
    every window divides by K = kh kw.

    Forward, entry by entry:
        y[n, c, p, q] = (1/K) sum_{i, j} xp[n, c, p sh + i, q sw + j]

    Backward: every entry of a window has slope 1/K, so
        dX[n, c, k, (p, q)] = dout[n, c, p, q] / K      for every k
    and dx = col2im(dX) sums what each pixel receives from its windows; as
    every k gets the same share, dX is given one entry at a time
    (``add_window_entries``) and never built.
    """

    def forward(self, x):
        X, (Ho, Wo) = self._windows(x, pad_value=0.0)           # (N, C, K, Ho Wo)
        N, C = x.shape[:2]
        return X.mean(axis=2).reshape(N, C, Ho, Wo), x.shape

    def backward(self, dout, cache):
        x_shape = cache
        share = dout / (self.kernel_size[0] * self.kernel_size[1])     # dout / K
        return add_window_entries(lambda i, j: share, x_shape, dout.dtype, self.kernel_size,
                                  self.stride, self.padding)
