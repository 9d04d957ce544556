"""BatchNorm2d: PyTorch parity (running statistics too), finite differences, refusals, and no
NumPy warning before tinynet's own error (BatchNorm1d and BatchNorm2d)."""
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinynet import nn
from tinynet.testing import assert_layer_gradients, randomize_parameters, signed_values, spread_columns

from helpers import close, seeds

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 3, 2, 2), (4, 2, 1, 1), (3, 4, 3, 1)])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_training_steps_and_eval_match_pytorch(shape, momentum):
    rng = np.random.default_rng(0)
    C = shape[1]
    ref = torch.nn.BatchNorm2d(C, momentum=momentum).double()
    ours = nn.BatchNorm2d(C, momentum=momentum).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(rng.normal(size=C)))
        ref.bias.copy_(torch.from_numpy(rng.normal(size=C)))
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    for mode in ["train"] * 4 + ["eval"]:
        ref.train(mode == "train"), ours.train(mode == "train")
        x, g = 2 + 3 * rng.normal(size=shape), rng.normal(size=shape)
        xt = torch.tensor(x, requires_grad=True)
        ref.zero_grad(), ours.zero_grad()
        out_ref = ref(xt)
        out_ref.backward(torch.from_numpy(g))
        out, cache = ours.forward(x)
        dx = ours.backward(g, cache)
        close(out, out_ref)
        close(dx, xt.grad)
        close(ours.weight.grad, ref.weight.grad)
        close(ours.bias.grad, ref.bias.grad)
        close(ours.running_mean, ref.running_mean)       # unbiased variance over N*H*W values
        close(ours.running_var, ref.running_var)
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 4


@st.composite
def spread_channels(draw, shape):
    """Images whose every channel has a spread of at least 0.5 over (N, H, W) (see spread_columns)."""
    N, C, H, W = shape
    rows = draw(spread_columns(N * H * W, C))
    return np.ascontiguousarray(rows.reshape(N, H, W, C).transpose(0, 3, 1, 2))


@settings(max_examples=30)
@given(st.data(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), seeds)
def test_training_gradients_match_finite_differences(data, n, c, h, w, seed):
    """At least 3 values per channel (see test_gradients.test_batchnorm_training for why)."""
    h = h if n * h * w >= 3 else 3
    layer = randomize_parameters(nn.BatchNorm2d(c).double(), seed)
    result = assert_layer_gradients(layer, data.draw(spread_channels((n, c, h, w))))
    assert not result.warnings, str(result)


@settings(max_examples=25)
@given(st.data(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), seeds)
def test_eval_gradients_match_finite_differences(data, n, c, h, w, seed):
    layer = randomize_parameters(nn.BatchNorm2d(c).double(), seed).eval()
    rng = np.random.default_rng(seed)
    layer.running_mean[...] = rng.normal(size=c)
    layer.running_var[...] = rng.uniform(0.5, 2.0, size=c)
    result = assert_layer_gradients(layer, data.draw(signed_values((n, c, h, w))))
    assert not result.warnings, str(result)


def test_need_dx_false_leaves_the_parameter_gradients_identical():
    layer = randomize_parameters(nn.BatchNorm2d(3).double(), 0)
    rng = np.random.default_rng(1)
    x, dout = rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 4, 4))
    out, cache = layer.forward(x)
    layer.backward(dout, cache)
    full = {name: p.grad.copy() for name, p in layer.named_parameters()}
    layer.zero_grad()
    assert layer.backward(dout, cache, need_dx=False) is None
    for name, p in layer.named_parameters():
        np.testing.assert_array_equal(p.grad, full[name], err_msg=name)


def test_float32_stays_float32():
    layer = nn.BatchNorm2d(3)
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4)).astype(np.float32)
    out, cache = layer.forward(x)
    dx = layer.backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == layer.weight.grad.dtype == layer.running_var.dtype == np.float32
    assert out.shape == dx.shape == x.shape


@pytest.mark.parametrize("x, error, message", [
    (np.zeros((1, 3, 1, 1), np.float32), ValueError,
     r"BatchNorm2d in training mode needs at least 2 values per channel \(N\*H\*W >= 2\) \(got shape "
     r"\(1, 3, 1, 1\)\): the variance of one value is 0"),
    (np.zeros((4, 3), np.float32), ValueError, r"BatchNorm2d expects a batch of images of shape \(N, C, H, W\)"),
    (np.zeros((2, 4, 3, 3), np.float32), ValueError, r"expects images with 3 channel\(s\)"),
    (np.zeros((2, 3, 3, 3)), TypeError, "BatchNorm2d has float32 parameters but got a float64 input"),
])
def test_impossible_inputs_are_refused(x, error, message):
    with pytest.raises(error, match=message):
        nn.BatchNorm2d(3).forward(x)


def test_one_image_of_several_pixels_is_a_valid_batch_as_in_pytorch():
    out, _ = nn.BatchNorm2d(2).forward(np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2))
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_batch_is_refused_before_the_running_statistics_change(bad):
    layer = nn.BatchNorm2d(3)
    rng = np.random.default_rng(0)
    layer.forward(rng.normal(size=(2, 3, 2, 2)).astype(np.float32))
    before = {k: v.copy() for k, v in layer.state_dict().items()}
    x = np.ones((2, 3, 2, 2), np.float32)
    x[1, 2, 0, 1] = bad
    with pytest.raises(FloatingPointError, match=r"BatchNorm2d: the batch statistics are not finite \(1 of 3 "
                                                 r"channels, the first is channel 2\): the input holds 1 non-finite "
                                                 r"values \(NaN or inf\), the first in image 1; usually the "
                                                 "learning rate is too high"):
        layer.forward(x)
    for name, value in before.items():
        np.testing.assert_array_equal(layer.state_dict()[name], value, err_msg=name)


@pytest.mark.parametrize("make, x", [
    (lambda: nn.BatchNorm1d(2), np.array([[3e38, 0.0], [-3e38, 1.0]], np.float32)),
    (lambda: nn.BatchNorm1d(2), np.array([[np.inf, 0.0], [-np.inf, 1.0]], np.float32)),
    (lambda: nn.BatchNorm2d(2), np.array([[[[3e38]], [[0.0]]], [[[3e38]], [[1.0]]]], np.float32)),
    (lambda: nn.BatchNorm2d(2), np.array([[[[np.inf]], [[0.0]]], [[[-np.inf]], [[1.0]]]], np.float32)),
])
def test_no_numpy_warning_comes_before_tinynets_error(make, x):
    """Overflow (3e38 + 3e38) and inf - inf would warn in NumPy; the user sees tinynet's error only."""
    layer = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="the batch statistics are not finite"):
            layer.forward(x)
    assert int(layer.num_batches_tracked) == 0


def test_python_W_error_shows_tinynets_message():
    """The same in a real `python -W error` process, as a student would run it."""
    script = ("import numpy as np, tinynet as tn\n"
              "for layer, x in [(tn.nn.BatchNorm1d(2), np.array([[3e38, 0], [3e38, 1]], np.float32)),\n"
              "                 (tn.nn.BatchNorm2d(1), np.full((2, 1, 1, 1), np.inf, np.float32))]:\n"
              "    try:\n"
              "        layer.forward(x)\n"
              "    except FloatingPointError as error:\n"
              "        print(str(error).split(' (')[0])\n")
    root = Path(__file__).resolve().parents[2]          # this checkout's tinynet
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True,
                          cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["BatchNorm1d: the batch statistics are not finite",
                                        "BatchNorm2d: the batch statistics are not finite"]


def test_repr_and_names_as_pytorch():
    layer = nn.BatchNorm2d(4, eps=1e-3, momentum=None)
    assert repr(layer) == "BatchNorm2d(4, eps=0.001, momentum=None)"
    assert list(layer.state_dict()) == list(torch.nn.BatchNorm2d(4).state_dict())
    with pytest.raises(ValueError, match="BatchNorm2d: num_features must be a positive integer, got 0"):
        nn.BatchNorm2d(0)
