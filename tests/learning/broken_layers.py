"""Layers with one classic backward bug each, shared by the gradcheck and testing tests."""
import numpy as np

from tinynet import nn


class LinearMeanBias(nn.Linear):
    def backward(self, dout, cache, need_dx=True):
        x = cache
        self.weight.accumulate_grad(dout.T @ x)
        self.bias.accumulate_grad(dout.mean(axis=0))   # bug: a sum over the batch
        return dout @ self.weight.data


class InPlaceReLU(nn.Layer):
    def forward(self, x):
        return np.maximum(x, 0), x > 0

    def backward(self, dout, cache):
        dout[~cache] = 0                         # bug: writes into the caller's gradient
        return dout
