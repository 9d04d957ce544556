"""Sigmoid, Tanh, LeakyReLU and Softmax: finite differences and PyTorch parity (float64)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.gradcheck import check_layer

from helpers import GRAD_TOL, PARITY_TOL, T, assert_grads_close, close as _close, float_arrays, signed_values, sizes

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")

rng = np.random.default_rng(0)


def close(ours, theirs, tol=PARITY_TOL):
    _close(ours, theirs, tol, same_dtype=True)


def parity(layer, torch_fn, x, g):
    """Forward and backward of ``layer`` against ``torch_fn`` on x, upstream gradient g."""
    out, cache = layer.forward(x)
    g_copy = g.copy()
    dx = layer.backward(g, cache)
    assert np.array_equal(g, g_copy), "backward modified dout"
    xt = T(x, True)
    ref = torch_fn(xt)
    ref.backward(T(g))
    close(out, ref)
    close(dx, xt.grad)


# -- finite differences (hypothesis) -------------------------------------------

@given(st.data(), sizes, sizes)
def test_sigmoid_gradient(data, n, c):
    x = data.draw(float_arrays((n, c), -6.0, 6.0))
    assert_grads_close(check_layer(nn.Sigmoid(), x))


@given(st.data(), sizes, sizes)
def test_tanh_gradient(data, n, c):
    x = data.draw(float_arrays((n, c), -4.0, 4.0))
    assert_grads_close(check_layer(nn.Tanh(), x))


@given(st.data(), sizes, sizes, st.floats(-1.0, 1.0))
def test_leaky_relu_gradient(data, n, c, slope):
    x = data.draw(signed_values((n, c)))           # |x| >= 0.1: away from the kink at 0
    assert_grads_close(check_layer(nn.LeakyReLU(slope), x))


@given(st.data(), sizes, st.integers(1, 6), st.sampled_from([1, -1]))
def test_softmax_gradient(data, n, c, dim):
    x = data.draw(float_arrays((n, c), -5.0, 5.0))
    assert_grads_close(check_layer(nn.Softmax(dim=dim), x))


@given(st.data(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.sampled_from([0, 1, 2, -1, -2]))
def test_softmax_gradient_any_axis(data, a, b, c, dim):
    x = data.draw(float_arrays((a, b, c), -5.0, 5.0))
    assert_grads_close(check_layer(nn.Softmax(dim=dim), x))


def test_gradient_check_catches_a_wrong_softmax_backward():
    """The finite-difference test above is not vacuous: a plausible wrong
    backward (the diagonal of the Jacobian only) fails it."""
    class DiagonalOnly(nn.Softmax):
        def backward(self, dout, cache):
            y = cache
            return dout * y * (1 - y)
    x = rng.normal(size=(3, 4))
    assert max(check_layer(DiagonalOnly(), x).values()) > 1e-2
    assert max(check_layer(nn.Softmax(), x).values()) < GRAD_TOL


# -- PyTorch parity ------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2)])
def test_sigmoid_matches_torch(shape):
    parity(nn.Sigmoid(), torch.sigmoid, 3 * rng.normal(size=shape), rng.normal(size=shape))


@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2)])
def test_tanh_matches_torch(shape):
    parity(nn.Tanh(), torch.tanh, 2 * rng.normal(size=shape), rng.normal(size=shape))


@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5, 0.0])
def test_leaky_relu_matches_torch_including_the_kink(slope):
    x, g = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    x[0, :3] = 0.0                  # at x = 0 torch takes the slope a: so must we
    x[1, 0] = -0.0
    parity(nn.LeakyReLU(slope), lambda t: torch.nn.functional.leaky_relu(t, slope), x, g)


def test_leaky_relu_default_slope_is_torchs():
    assert nn.LeakyReLU().negative_slope == torch.nn.LeakyReLU().negative_slope == 0.01


@pytest.mark.parametrize("dim", [1, -1, 0])
def test_softmax_matches_torch(dim):
    parity(nn.Softmax(dim=dim), lambda t: torch.softmax(t, dim=dim), 3 * rng.normal(size=(5, 7)),
           rng.normal(size=(5, 7)))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_softmax_3d_matches_torch(dim):
    parity(nn.Softmax(dim=dim), lambda t: torch.softmax(t, dim=dim), rng.normal(size=(2, 3, 4)),
           rng.normal(size=(2, 3, 4)))


def test_softmax_default_dim_is_1_and_rows_sum_to_one():
    layer = nn.Softmax()
    assert layer.dim == 1
    y, _ = layer.forward(rng.normal(size=(4, 6)))
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15)


def test_extreme_inputs_stay_finite_and_match_torch():
    x = np.array([[-1000.0, -745.0, -30.0, 0.0, 30.0, 745.0, 1000.0]])
    g = np.ones_like(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no overflow warning either
        parity(nn.Sigmoid(), torch.sigmoid, x, g)
        parity(nn.Tanh(), torch.tanh, x, g)
        parity(nn.Softmax(dim=1), lambda t: torch.softmax(t, dim=1), x, g)
        y, _ = nn.Sigmoid().float().forward(x.astype(np.float32))
    assert y.dtype == np.float32 and np.all(np.isfinite(y))


@pytest.mark.parametrize("layer", [nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.1), nn.Softmax(), nn.ReLU()])
def test_float32_in_float32_out(layer):
    x = rng.normal(size=(4, 3)).astype(np.float32)
    y, cache = layer.forward(x)
    dx = layer.backward(np.ones_like(y), cache)
    assert y.dtype == dx.dtype == np.float32


def test_activations_train_in_a_model():
    """The new layers work as Sequential members: the model's backward reaches every layer."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 5), nn.Sigmoid(), nn.Linear(5, 5),
                          nn.LeakyReLU(0.1), nn.Linear(5, 3), nn.Softmax()).double()
    x = np.random.default_rng(5).normal(size=(6, 4))
    with tn.no_grad():
        before_kink = model[4](model[3](model[2](model[1](model[0](x)))))
    assert np.abs(before_kink).min() > 1e-2         # LeakyReLU's inputs are off its kink
    errors = check_layer(model, x)
    assert_grads_close(errors)
    assert len(errors) == 1 + 8                     # x and the 4 Linear layers' weight and bias
