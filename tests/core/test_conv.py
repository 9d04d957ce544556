"""Conv2d: PyTorch parity in float64, finite differences, initialisation, need_dx, and clear errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.testing import assert_layer_gradients, assert_matches_torch, randomize_parameters, signed_values

from helpers import seeds

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")

# (in_channels, out_channels, kernel_size, stride, padding, bias, input shape)
CONFIGS = [
    (3, 4, 3, 1, 0, True, (2, 3, 7, 6)),
    (2, 5, (2, 3), 2, 1, True, (3, 2, 8, 7)),               # non-square kernel, stride 2, padding 1
    (1, 3, (3, 1), (1, 2), (0, 1), False, (1, 1, 5, 6)),    # batch 1, per-axis stride and padding, no bias
    (4, 3, 3, 2, 1, True, (2, 4, 5, 5)),                    # odd size: the last row/column is never read
    (2, 2, 1, 1, 0, True, (2, 2, 4, 3)),                    # 1x1: im2col is a view
    (1, 30, 5, 1, 0, True, (2, 1, 28, 28)),                 # the CNN's first layer
]


@pytest.mark.parametrize("c_in, c_out, kernel, stride, padding, bias, shape", CONFIGS)
def test_matches_pytorch(c_in, c_out, kernel, stride, padding, bias, shape):
    layer = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
    twin = torch.nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
    x = np.random.default_rng(0).normal(size=shape)
    assert_matches_torch(layer, twin, x)


@settings(max_examples=30)
@given(st.data(), st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 2), st.integers(1, 2), st.integers(0, 1), st.integers(0, 1), st.booleans(), seeds)
def test_gradients_match_finite_differences(data, n, c_in, c_out, kh, kw, sh, sw, ph, pw, bias, seed):
    H = data.draw(st.integers(max(1, kh - 2 * ph), 5))
    W = data.draw(st.integers(max(1, kw - 2 * pw), 5))
    layer = randomize_parameters(nn.Conv2d(c_in, c_out, (kh, kw), (sh, sw), (ph, pw), bias=bias).double(), seed)
    x = data.draw(signed_values((n, c_in, H, W)))
    result = assert_layer_gradients(layer, x)
    assert not result.warnings, str(result)


def test_need_dx_false_skips_dx_and_leaves_the_parameter_gradients_identical():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    rng = np.random.default_rng(1)
    x, dout = rng.normal(size=(2, 2, 6, 5)), rng.normal(size=(2, 3, 3, 3))
    out, cache = layer.forward(x)
    dx = layer.backward(dout, cache)
    full = {name: p.grad.copy() for name, p in layer.named_parameters()}
    layer.zero_grad()
    assert layer.backward(dout, cache, need_dx=False) is None
    for name, p in layer.named_parameters():
        np.testing.assert_array_equal(p.grad, full[name], err_msg=name)
    assert dx.shape == x.shape


def test_initialisation_as_pytorch():
    tn.manual_seed(0)
    layer = nn.Conv2d(6, 40, (5, 3))
    bound = 1 / np.sqrt(6 * 5 * 3)
    assert layer.weight.shape == (40, 6, 5, 3) and layer.bias.shape == (40,)
    for p in (layer.weight.data, layer.bias.data):
        assert p.dtype == np.float32
        assert np.abs(p).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.999 * bound         # 3,600 draws reach the edge
    assert abs(layer.weight.data.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3   # uniform: b^2 / 3
    assert layer.weight.penalized and not layer.bias.penalized
    tn.manual_seed(0)
    again = nn.Conv2d(6, 40, (5, 3))
    np.testing.assert_array_equal(again.weight.data, layer.weight.data)     # from tinynet's generator
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None


def test_float32_stays_float32():
    layer = nn.Conv2d(2, 3, 3, padding=1)
    x = np.random.default_rng(0).normal(size=(2, 2, 5, 5)).astype(np.float32)
    out, cache = layer.forward(x)
    dx = layer.backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == layer.weight.grad.dtype == layer.bias.grad.dtype == np.float32


def test_repr():
    assert repr(nn.Conv2d(1, 30, 5)) == \
        "Conv2d(1, 30, kernel_size=(5, 5), stride=(1, 1), padding=(0, 0), bias=True)"


@pytest.mark.parametrize("x, error, message", [
    (np.zeros((4, 784), np.float32), ValueError,
     r"Conv2d expects a batch of images of shape \(N, C, H, W\), got \(4, 784\) \(flat vectors\? "
     r"reshape them into images first, e.g. x.reshape\(-1, 1, 28, 28\) for MNIST\)"),
    (np.zeros((1, 28, 28), np.float32), ValueError, r"got \(1, 28, 28\) \(one image\? add the batch axis: x\[None\]\)"),
    ([[[[1.0]]]], ValueError, r"expects a batch of images of shape \(N, C, H, W\), got list"),
    (np.zeros((2, 3, 8, 8), np.float32), ValueError, r"expects images with 1 channel\(s\), of shape \(N, 1, H, W\), "
                                                     r"got \(2, 3, 8, 8\)"),
    (np.zeros((2, 1, 8, 0), np.float32), ValueError, "at least one channel, row and column"),
    (np.zeros((2, 1, 8, 8)), TypeError, r"Conv2d has float32 parameters but got a float64 input"),
    (np.zeros((2, 1, 4, 8), np.float32), ValueError,
     r"Conv2d: the 5x5 kernel does not fit in the 4x8 input padded by 0 row\(s\) and 0 column\(s\) on each side "
     r"\(4x8\)"),
])
def test_impossible_inputs_are_refused_with_a_clear_error(x, error, message):
    layer = nn.Conv2d(1, 2, 5)
    with pytest.raises(error, match=message):
        layer.forward(x)


def test_padding_can_make_the_kernel_fit():
    out, _ = nn.Conv2d(1, 2, 5, padding=1).forward(np.zeros((1, 1, 3, 3), np.float32))
    assert out.shape == (1, 2, 1, 1)


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.Conv2d(0, 2, 3), ValueError, "Conv2d: in_channels must be a positive integer, got 0"),
    (lambda: nn.Conv2d(1, 2.0, 3), TypeError, "Conv2d: out_channels must be a positive integer, got 2.0"),
    (lambda: nn.Conv2d(1, 2, 0), ValueError,
     r"Conv2d: kernel_size must be a positive integer or a pair \(height, width\) of them, got 0"),
    (lambda: nn.Conv2d(1, 2, (3, 0)), ValueError, r"kernel_size must be .* got \(3, 0\) \(of type tuple\)"),
    (lambda: nn.Conv2d(1, 2, (3, 3, 3)), TypeError, r"kernel_size must be .* got \(3, 3, 3\) \(of type tuple\)"),
    (lambda: nn.Conv2d(1, 2, "3"), TypeError, r"kernel_size must be .* got the string '3'"),
    (lambda: nn.Conv2d(1, 2, 3, stride=0), ValueError, r"stride must be a positive integer .* got 0"),
    (lambda: nn.Conv2d(1, 2, 3, stride=True), TypeError, r"stride must be a positive integer .* got True"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), ValueError,
     r"padding must be a non-negative integer or a pair \(height, width\) of them, got -1"),
    (lambda: nn.Conv2d(1, 2, 3, padding=(1, 0.5)), TypeError, r"padding must be .* got \(1, 0.5\)"),
])
def test_impossible_sizes_are_refused_at_construction(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_numpy_integers_are_accepted():
    layer = nn.Conv2d(np.int64(1), np.int32(2), (np.int64(3), 2), stride=np.int8(2), padding=[1, 0])
    assert (layer.kernel_size, layer.stride, layer.padding) == ((3, 2), (2, 2), (1, 0))
    assert all(type(v) is int for v in layer.kernel_size + layer.stride + layer.padding)
