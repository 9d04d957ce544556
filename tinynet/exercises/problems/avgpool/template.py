"""The AvgPool2d exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np

from tinynet import nn
from tinynet.nn.im2col import col2im, im2col, output_size


class AvgPool2d(nn.AvgPool2d):
    """y = the mean of each window, channel by channel.

    The window arguments, and their checks, are nn.AvgPool2d's; forward and backward are these.

    Shapes (K = kh kw entries per window, L = Ho Wo windows per image)
        x: (N, C, H, W)  ->  y: (N, C, Ho, Wo)
    im2col, padding with zeros, puts each window down one column:
        X[n, c, k, (p, q)],   k = i kw + j: the window's entries in reading order
    Forward: y = the mean of each column. As PyTorch's default
    (count_include_pad=True), the padding counts: every window divides by K.
    """

    def forward(self, x):
        N, C = x.shape[:2]
        Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        X = im2col(x, self.kernel_size, self.stride, self.padding)      # zero padding
        X = X.reshape(N, C, -1, Ho * Wo)                                 # (N, C, K, L)
        return X.mean(axis=2).reshape(N, C, Ho, Wo), x.shape

    def backward(self, dout, cache):
        """dout = dL/dy (N, C, Ho, Wo); return dL/dx (N, C, H, W)."""
        x_shape = cache
        N, C = x_shape[:2]
        L = dout.shape[2] * dout.shape[3]
        K = self.kernel_size[0] * self.kernel_size[1]
        # BEGIN SOLUTION
        # TODO: dX = dL/dX (N, C, K, L): what does each entry of a window get from the window's dout?
        # TODO: return dx = col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        dX = np.broadcast_to(dout.reshape(N, C, 1, L) / K, (N, C, K, L))  # slope 1/K for each entry
        # A pixel in several windows (stride < kernel_size) gets the sum of its shares.
        return col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        # END SOLUTION
