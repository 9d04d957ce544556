"""CrossEntropyLoss and MSELoss: the loss contract (forward -> (loss, cache), backward()), finite differences,
PyTorch parity (float64, 1e-10) and refusal of non-finite values (a NaN or inf loss is an error, never a number)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinynet import nn
from tinynet.gradcheck import numerical_gradient, relative_error

from helpers import GRAD_TOL, PARITY_TOL, T, close, float_arrays, signed_values, sizes

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")

rng = np.random.default_rng(0)


def loss_gradient_error(loss_fn, x, target):
    """Relative error of backward(1.0, cache) against finite differences of forward."""
    _, cache = loss_fn.forward(x, target)
    analytic = loss_fn.backward(1.0, cache)
    numeric = numerical_gradient(lambda: loss_fn.forward(x, target)[0], x, 1.0)
    return relative_error(analytic, numeric)


# -- the contract: forward -> (loss, cache), backward(dout, cache) -------------

@pytest.mark.parametrize("make, target", [
    (nn.CrossEntropyLoss, lambda: rng.integers(0, 4, size=5)),
    (nn.MSELoss, lambda: rng.normal(size=(5, 4))),
])
def test_explicit_pair_and_stateful_call_agree(make, target):
    x, t = rng.normal(size=(5, 4)), target()
    loss_fn = make()
    loss, cache = loss_fn.forward(x, t)
    assert isinstance(loss, float)
    dx = loss_fn.backward(1.0, cache)
    assert loss_fn(x, t) == loss
    np.testing.assert_array_equal(loss_fn.backward(), dx)
    # dout scales the gradient: d(3 L)/dx = 3 dL/dx
    _, cache = loss_fn.forward(x, t)
    np.testing.assert_allclose(loss_fn.backward(3.0, cache), 3.0 * dx, rtol=1e-15)


@pytest.mark.parametrize("make, target", [
    (nn.CrossEntropyLoss, np.array([0, 1])),
    (nn.MSELoss, np.zeros((2, 3))),
])
def test_backward_without_a_call_is_refused(make, target):
    with pytest.raises(RuntimeError, match="forward call first"):
        make().backward()


def test_a_call_that_raised_leaves_nothing_to_backpropagate():
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(rng.normal(size=(2, 3)), np.array([0, 1]))
    bad = np.array([[np.nan, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(FloatingPointError):
        loss_fn(bad, np.array([0, 1]))
    with pytest.raises(RuntimeError):
        loss_fn.backward()          # never the previous batch's gradient


# -- MSELoss ---------------------------------------------------------------------

@given(st.data(), sizes, sizes, st.sampled_from(["mean", "sum"]))
def test_mse_gradient(data, n, k, reduction):
    # |x - t| >= 0.1: a gradient of 1e-50 could only be compared with rounding noise
    t = data.draw(float_arrays((n, k)))
    x = t + data.draw(signed_values((n, k)))
    assert loss_gradient_error(nn.MSELoss(reduction), x, t) < GRAD_TOL


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(7,), (5, 3), (2, 3, 4)])
def test_mse_matches_torch(reduction, shape):
    x, t = rng.normal(size=shape), rng.normal(size=shape)
    xt = T(x, True)
    ref = torch.nn.MSELoss(reduction=reduction)(xt, T(t))
    (0.7 * ref).backward()
    loss_fn = nn.MSELoss(reduction)
    loss, cache = loss_fn.forward(x, t)
    assert abs(loss - ref.item()) <= PARITY_TOL * max(1.0, abs(ref.item()))
    close(loss_fn.backward(0.7, cache), xt.grad)


def test_mse_mean_is_over_every_element_as_in_torch():
    x, t = np.ones((4, 5)), np.zeros((4, 5))
    assert nn.MSELoss()(x, t) == 1.0                 # 20 / 20, not 20 / 4
    assert nn.MSELoss("sum")(x, t) == 20.0
    np.testing.assert_allclose(_grad(nn.MSELoss(), x, t), 2.0 / 20)      # dL/dx = 2 (x - t) / M


def _grad(loss_fn, x, t):
    loss_fn(x, t)
    return loss_fn.backward()


def test_mse_keeps_the_input_dtype_and_accepts_integer_targets():
    x = rng.normal(size=(4, 3)).astype(np.float32)
    loss_fn = nn.MSELoss()
    loss_fn(x, np.zeros((4, 3), dtype=np.float64))
    assert loss_fn.backward().dtype == np.float32
    onehot = np.eye(3, dtype=np.int64)[[0, 2, 1, 1]]
    assert loss_fn(x, onehot) == pytest.approx(float(((x - onehot) ** 2).mean()), rel=1e-6)


@pytest.mark.parametrize("x, t, error, message", [
    (np.zeros((4, 1)), np.zeros(4), ValueError, r"target of shape \(4,\) does not match input of shape \(4, 1\)"),
    (np.zeros((4, 2)), np.zeros((2, 4)), ValueError, "no broadcasting"),
    (np.zeros(3, dtype=np.int64), np.zeros(3), ValueError, "float array as input"),
    (np.zeros(3), [0.0, 0.0, 0.0], TypeError, "numeric array as target"),
    (np.zeros(3), np.array(["a", "b", "c"]), TypeError, "numeric array as target"),
])
def test_mse_bad_input(x, t, error, message):
    with pytest.raises(error, match=message):
        nn.MSELoss()(x, t)


def test_mse_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'none'"):
        nn.MSELoss(reduction="none")


# -- CrossEntropyLoss ------------------------------------------------------------

@given(st.data(), sizes, st.integers(2, 6), st.floats(-100.0, 100.0))
def test_cross_entropy_gradient(data, n, c, shift):
    logits = data.draw(float_arrays((n, c), -5.0, 5.0)) + shift
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    assert loss_gradient_error(nn.CrossEntropyLoss(), logits, labels) < GRAD_TOL


def test_cross_entropy_explicit_pair_matches_torch_with_dout():
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    lt = T(logits, True)
    ref = torch.nn.functional.cross_entropy(lt, torch.tensor(labels))
    (0.25 * ref).backward()
    loss_fn = nn.CrossEntropyLoss()
    loss, cache = loss_fn.forward(logits, labels)
    assert abs(loss - ref.item()) <= PARITY_TOL
    close(loss_fn.backward(0.25, cache), lt.grad)


def test_cross_entropy_keeps_float32_for_a_numpy_dout():
    loss_fn = nn.CrossEntropyLoss()
    _, cache = loss_fn.forward(rng.normal(size=(3, 4)).astype(np.float32), np.array([0, 1, 3]))
    assert loss_fn.backward(np.float64(1.0), cache).dtype == np.float32


def test_cross_entropy_unsigned_labels():
    logits = rng.normal(size=(3, 4))
    labels = np.array([3, 0, 2])
    assert nn.CrossEntropyLoss()(logits, labels.astype(np.uint8)) == nn.CrossEntropyLoss()(logits, labels)


# -- non-finite values are refused, never returned -------------------------------------------

@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf - inf, on purpose
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cross_entropy_refuses_nan_and_inf_logits(dtype, bad):
    logits = rng.normal(size=(5, 4)).astype(dtype)
    labels = np.array([0, 1, 2, 3, 0])
    logits[2, 1] = bad          # row 2's label is 2: off the true class, the row's loss is NaN all the same
    logits[4, 3] = bad
    with pytest.raises(FloatingPointError, match=r"2 non-finite values \(NaN or inf\), the first in row 2; "
                                                 "usually the learning rate is too high: training diverged"):
        nn.CrossEntropyLoss()(logits, labels)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_refuses_minus_inf_at_the_true_class(dtype):
    """p[y] = 0 there: the loss -log p[y] is infinite."""
    logits = rng.normal(size=(3, 4)).astype(dtype)
    labels = np.array([1, 2, 0])
    logits[1, 2] = -np.inf
    with pytest.raises(FloatingPointError, match=r"1 non-finite values \(NaN or inf\), the first in row 1"):
        nn.CrossEntropyLoss()(logits, labels)


def test_cross_entropy_minus_inf_off_the_true_class_is_a_zero_probability_as_in_pytorch():
    """exp(-inf) = 0: the loss and the gradient are finite, and PyTorch's (how logits are masked)."""
    logits = rng.normal(size=(3, 4))
    labels = np.array([1, 2, 0])
    logits[0, 3] = logits[2, 1] = -np.inf
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(logits, labels)
    grad = loss_fn.backward()
    z = T(logits, grad=True)
    expected = torch.nn.functional.cross_entropy(z, torch.from_numpy(labels))
    expected.backward()
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert grad[0, 3] == 0 and grad[2, 1] == 0
    assert abs(loss - expected.item()) <= PARITY_TOL * abs(expected.item())
    close(grad, z.grad)


def test_cross_entropy_refuses_logits_whose_range_overflows():
    """Finite logits 6e38 apart: z - max(z) overflows float32, the loss would be inf."""
    logits = np.array([[3e38, -3e38], [0.0, 1.0]], np.float32)
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="span more than float32 can hold"):
        nn.CrossEntropyLoss()(logits, np.array([1, 0]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_mse_refuses_non_finite_input(bad):
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    x[3, 2] = bad
    with pytest.raises(FloatingPointError, match="1 non-finite values .*the first in row 3; usually the "
                                                 "learning rate is too high"):
        nn.MSELoss()(x, t)


def test_mse_names_a_non_finite_target():
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    t[1, 0] = np.nan
    with pytest.raises(ValueError, match="the target holds 1 non-finite values .*the first in row 1"):
        nn.MSELoss()(x, t)


def test_mse_refuses_an_overflowing_loss():
    x = np.full((2, 2), 1e30, dtype=np.float32)
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="overflowed float32"):
        nn.MSELoss()(x, np.zeros((2, 2), dtype=np.float32))
