"""2-D convolution over a batch of images."""
from ..arguments import check_pair, check_positive_int
from .im2col import col2im, im2col, output_size
from .images import check_images, check_window_fits
from .init import fan_in_uniform
from .layer import Layer
from .parameter import Parameter


class Conv2d(Layer):
    r"""y = b + W slid over x: every output pixel is a weighted sum of one window of x.

    Shapes (F = out_channels filters of C = in_channels channels)
        x: (N, C, H, W)   ->   y: (N, F, Ho, Wo)
        weight W: (F, C, kh, kw),  bias b: (F,)
        Ho = (H + 2 ph - kh) // sh + 1,   Wo = (W + 2 pw - kw) // sw + 1
    with stride (sh, sw), padding (ph, pw), and xp = x padded with zeros.

    Forward, entry by entry (a cross-correlation, as in PyTorch):
        y[n, f, p, q] = b[f] + sum_{c, i, j} W[f, c, i, j] xp[n, c, p sh + i, q sw + j]
    im2col copies every window into a column,
        X[n, (c, i, j), (p, q)] = xp[n, c, p sh + i, q sw + j]      (N, C kh kw, Ho Wo)
    so with Wm = W reshaped to (F, C kh kw) the sum over (c, i, j) is one
    matrix product per image:
        Y[n] = Wm X[n] + b        (F, Ho Wo), b added to every column

    Backward, with G = dL/dy reshaped to (N, F, Ho Wo). Transposed,
    Y[n]^T = X[n]^T Wm^T + b is Linear's y = x W^T + b with the windows as the
    batch (x = X[n]^T: one row per window), so Linear's backward applies to
    every image; all images used the same Wm and b, so those gradients add
    up over n:
        dWm = sum_n G[n] X[n]^T                   (F, C kh kw) -> reshaped to W's shape
        db[f] = sum_{n, p, q} G[n, f, p, q]       (F,)
        dX[n] = Wm^T G[n]                         (C kh kw, Ho Wo)
    Each entry of X is a copy of one pixel of xp, and a pixel lies in several
    windows when they overlap, so its gradient is the sum over its copies:
        dx = col2im(dX)     (adds every column back onto its window, drops the padding)

    ``need_dx=False`` skips dX and col2im: the first layer of a model, whose
    input is the data.

    Initialisation as in PyTorch: W and b uniform in [-1/sqrt(fan_in),
    1/sqrt(fan_in)] with fan_in = C kh kw, the inputs of one output pixel.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.in_channels = check_positive_int(self, "in_channels", in_channels)
        self.out_channels = check_positive_int(self, "out_channels", out_channels)
        self.kernel_size = check_pair(self, "kernel_size", kernel_size)
        self.stride = check_pair(self, "stride", stride)
        self.padding = check_pair(self, "padding", padding, smallest=0)
        kh, kw = self.kernel_size
        fan_in = self.in_channels * kh * kw
        size = (self.out_channels, self.in_channels, kh, kw)
        self.weight = Parameter(fan_in_uniform(size, fan_in), penalized=True)
        self.bias = Parameter(fan_in_uniform(self.out_channels, fan_in)) if bias else None

    def forward(self, x):
        check_images(self, x, self.in_channels, self.weight.data.dtype)
        check_window_fits(self, x, self.kernel_size, self.padding)
        N, F = x.shape[0], self.out_channels
        Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        X = im2col(x, self.kernel_size, self.stride, self.padding)    # (N, C kh kw, Ho Wo)
        Wm = self.weight.data.reshape(F, -1)                           # (F, C kh kw)
        Y = Wm @ X                                                     # (N, F, Ho Wo)
        if self.bias is not None:
            Y += self.bias.data[:, None]
        return Y.reshape(N, F, Ho, Wo), (x.shape, X)

    def backward(self, dout, cache, need_dx=True):
        x_shape, X = cache
        N, F = dout.shape[:2]
        G = dout.reshape(N, F, -1)                                     # (N, F, Ho Wo)
        Wm = self.weight.data.reshape(F, -1)
        dWm = (G @ X.transpose(0, 2, 1)).sum(axis=0)                   # sum_n G[n] X[n]^T
        self.weight.accumulate_grad(dWm.reshape(self.weight.data.shape))
        if self.bias is not None:
            self.bias.accumulate_grad(G.sum(axis=(0, 2)))              # db = sum over n, p, q
        if not need_dx:
            return None
        dX = Wm.T @ G                                                  # (N, C kh kw, Ho Wo)
        return col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")
