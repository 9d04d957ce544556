"""The MaxPool2d exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np

from tinynet import nn
from tinynet.nn.im2col import col2im, im2col, output_size


class MaxPool2d(nn.MaxPool2d):
    """y = the largest entry of each window, channel by channel.

    The window arguments, and their checks, are nn.MaxPool2d's; forward and backward are these.

    Shapes (K = kh kw entries per window, L = Ho Wo windows per image)
        x: (N, C, H, W)  ->  y: (N, C, Ho, Wo)
    im2col, padding with -inf (which never wins), puts each window down one column:
        X[n, c, k, (p, q)],   k = i kw + j: the window's entries in reading order
    Forward: y = the largest entry of each column, arg = its position k.
    On a tie np.argmax returns the FIRST maximum in reading order, as PyTorch does.
    """

    def forward(self, x):
        N, C = x.shape[:2]
        Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        X = im2col(x, self.kernel_size, self.stride, self.padding, pad_value=-np.inf)
        X = X.reshape(N, C, -1, Ho * Wo)                                 # (N, C, K, L)
        arg = X.argmax(axis=2)                                           # (N, C, L)
        out = np.take_along_axis(X, arg[:, :, None, :], axis=2)          # (N, C, 1, L)
        return out.reshape(N, C, Ho, Wo), (x.shape, arg)

    def backward(self, dout, cache):
        """dout = dL/dy (N, C, Ho, Wo); return dL/dx (N, C, H, W)."""
        x_shape, arg = cache
        N, C, L = arg.shape
        K = self.kernel_size[0] * self.kernel_size[1]
        # BEGIN SOLUTION
        # TODO: dX = dL/dX (N, C, K, L): what does each entry of a window get from the window's dout?
        # TODO: return dx = col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        won = np.arange(K)[:, None] == arg[:, :, None, :]               # (N, C, K, L): the winners
        dX = won * dout.reshape(N, C, 1, L)
        # y is a copy of the winner (slope 1); the other entries do not move y (slope 0).
        return col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        # END SOLUTION
