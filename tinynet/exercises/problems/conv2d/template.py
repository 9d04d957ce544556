"""The Conv2d exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np

import tinynet as tn
from tinynet.nn.im2col import col2im, im2col, output_size
from tinynet.nn.layer import Layer
from tinynet.nn.parameter import Parameter


class Conv2d(Layer):
    """y = b + W slid over x, computed as one matrix product over im2col's columns.

    Shapes (F = out_channels filters of C = in_channels channels;
            K = C kh kw entries per window, L = Ho Wo windows per image)
        x: (N, C, H, W)  ->  y: (N, F, Ho, Wo)
        weight W: (F, C, kh, kw),  bias b: (F,)
    im2col copies every kh x kw window of x (zero-padded) into a column:
        X[n, (c, i, j), (p, q)] = xp[n, c, p sh + i, q sw + j]       (N, K, L)
    so with Wm = W reshaped to (F, K) the whole convolution of image n is
        Y[n] = Wm X[n] + b                                            (F, L)
    (b added to every column), and y is Y reshaped to (N, F, Ho, Wo).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.kernel_size = (kernel_size, kernel_size)
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        bound = 1.0 / np.sqrt(in_channels * kernel_size * kernel_size)     # 1 / sqrt(fan_in)
        rng = tn.random.generator()
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, shape), penalized=True)
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels))

    def forward(self, x):
        N, F = x.shape[0], self.weight.data.shape[0]
        Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        X = im2col(x, self.kernel_size, self.stride, self.padding)      # (N, K, L)
        Wm = self.weight.data.reshape(F, -1)                             # (F, K)
        Y = Wm @ X + self.bias.data[:, None]                             # (N, F, L)
        return Y.reshape(N, F, Ho, Wo), (x.shape, X)                    # backward needs the columns

    def backward(self, dout, cache):
        """dout = G = dL/dy (N, F, Ho, Wo). Add dL/dW and dL/db to the
        parameters' gradients and return dL/dx (N, C, H, W)."""
        x_shape, X = cache
        N, F = dout.shape[:2]
        G = dout.reshape(N, F, -1)                                       # (N, F, L)
        Wm = self.weight.data.reshape(F, -1)                             # (F, K)
        # BEGIN SOLUTION
        # TODO: dW = dL/dW (F, C, kh, kw): dWm (F, K) from G and the columns X, reshaped to W's shape
        # TODO: self.weight.accumulate_grad(dW)
        # TODO: db = dL/db (F,): self.bias.accumulate_grad(db)
        # TODO: dX = dL/dX (N, K, L), the gradient of the columns
        # TODO: return dx = col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        dWm = (G @ X.transpose(0, 2, 1)).sum(axis=0)                    # sum_n G[n] X[n]^T   (F, K)
        self.weight.accumulate_grad(dWm.reshape(self.weight.data.shape))
        self.bias.accumulate_grad(G.sum(axis=(0, 2)))                   # db = sum over n and positions
        dX = Wm.T @ G                                                    # Wm^T G[n]           (N, K, L)
        # A pixel lies in every window that covers it: its gradient is the sum over its copies.
        return col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
        # END SOLUTION
