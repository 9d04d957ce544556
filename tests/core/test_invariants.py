"""Properties that must hold whatever the numbers: shift invariance, normalisation."""
import numpy as np
from hypothesis import given, strategies as st

from tinynet import nn

from helpers import float_arrays, sizes, spread_columns


@given(st.data(), sizes, st.integers(2, 6), st.floats(-1e4, 1e4))
def test_cross_entropy_ignores_a_constant_added_to_the_logits(data, n, c, shift):
    logits = data.draw(float_arrays((n, c), -30.0, 30.0))
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    loss_fn = nn.CrossEntropyLoss()
    loss, grad = loss_fn(logits, labels), loss_fn.backward()
    shifted_loss, shifted_grad = loss_fn(logits + shift, labels), loss_fn.backward()
    # the shift only costs the rounding of logits + shift: |shift| * 2^-52
    tol = 1e-12 + 4 * abs(shift) * np.finfo(np.float64).eps
    assert abs(shifted_loss - loss) <= tol * max(1.0, loss)
    np.testing.assert_allclose(shifted_grad, grad, atol=tol)


def test_cross_entropy_is_finite_for_huge_logits():
    loss_fn = nn.CrossEntropyLoss()
    for dtype in (np.float32, np.float64):
        logits = np.array([[1e30, 0.0, -1e30], [0.0, 1e4, 0.0]], dtype=dtype)
        loss = loss_fn(logits, np.array([1, 1]))
        assert np.isfinite(loss) and abs(loss - 0.5e30) / 0.5e30 < 1e-6
        assert np.all(np.isfinite(loss_fn.backward()))


@given(st.data(), st.integers(2, 8), sizes)
def test_batchnorm_training_output_is_standardised(data, n, c):
    """gamma = 1, beta = 0: every column has mean 0 and variance var / (var + eps)."""
    x = data.draw(spread_columns(n, c))
    layer = nn.BatchNorm1d(c).double()
    out, _ = layer.forward(x)
    var = x.var(axis=0)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), var / (var + layer.eps), rtol=1e-12)


@given(st.data(), st.integers(2, 8), sizes, st.floats(0.01, 1.0))
def test_batchnorm_running_statistics_update(data, n, c, momentum):
    """running <- (1 - m) running + m stat, with the UNBIASED variance."""
    layer = nn.BatchNorm1d(c, momentum=momentum).double()
    rng = np.random.default_rng(n)
    layer.running_mean[...] = rng.normal(size=c)
    layer.running_var[...] = rng.uniform(0.5, 2.0, size=c)
    before_mean, before_var = layer.running_mean.copy(), layer.running_var.copy()
    x = data.draw(float_arrays((n, c)))
    layer.forward(x)
    np.testing.assert_allclose(layer.running_mean, (1 - momentum) * before_mean + momentum * x.mean(axis=0),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.running_var, (1 - momentum) * before_var + momentum * x.var(axis=0, ddof=1),
                               rtol=1e-12, atol=1e-12)
    assert int(layer.num_batches_tracked) == 1


def test_dropout_and_dropconnect_are_identity_maps_in_eval_mode():
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    assert nn.Dropout(0.5).eval().forward(x)[0] is x
    layer = nn.DropConnect(3, 2, p=0.5).eval()
    np.testing.assert_array_equal(layer.forward(x)[0], x @ layer.weight.data.T + layer.bias.data)
