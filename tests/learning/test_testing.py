"""tinynet.testing: the toolkit a student uses in their own pytest files."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

from tinynet import nn
from tinynet.gradcheck import check_layer
from tinynet.testing import (KINK_MARGIN, assert_backward_leaves_dout_untouched, assert_function_gradient,
                             assert_layer_gradients, assert_loss_gradient, assert_matches_torch, away_from_kinks,
                             batches, offsets_away_from_kink, randomize_parameters, shapes)

from broken_layers import InPlaceReLU

ROOT = Path(__file__).resolve().parents[2]


class Sigmoid(nn.Layer):
    """What a student writes."""

    def forward(self, x):
        y = 1 / (1 + np.exp(-x))
        return y, y

    def backward(self, dout, cache):
        y = cache
        return dout * y * (1 - y)


class SigmoidMissingFactor(Sigmoid):
    def backward(self, dout, cache):
        y = cache
        return dout * y                          # bug: forgot (1 - y)


# -- assertions ------------------------------------------------------------------
def test_assert_layer_gradients_passes_a_correct_layer_and_returns_the_result():
    result = assert_layer_gradients(Sigmoid(), np.random.default_rng(0).normal(size=(4, 3)))
    assert result.ok and set(result) == {"x"}


def test_assert_layer_gradients_raises_with_the_full_report():
    x = np.random.default_rng(0).normal(size=(4, 3))
    with pytest.raises(AssertionError) as error:
        assert_layer_gradients(SigmoidMissingFactor(), x)
    assert str(error.value) == str(check_layer(SigmoidMissingFactor(), x))
    assert str(error.value).startswith("gradcheck SigmoidMissingFactor: FAILED for x")


def test_assert_layer_gradients_catches_a_backward_that_modifies_dout():
    x = np.random.default_rng(1).choice([-1.0, 1.0], size=(4, 3))
    with pytest.raises(AssertionError, match="modified dout"):
        assert_layer_gradients(InPlaceReLU(), x)


def test_assert_backward_leaves_dout_untouched():
    x = np.random.default_rng(1).choice([-1.0, 1.0], size=(4, 3))
    assert_backward_leaves_dout_untouched(nn.ReLU(), x)
    assert_backward_leaves_dout_untouched(randomize_parameters(nn.Linear(3, 2).double(), 0), x)
    assert_backward_leaves_dout_untouched(nn.Sequential(nn.Linear(3, 2), nn.ReLU()).double(), x)
    with pytest.raises(AssertionError,
                       match=r"InPlaceReLU.backward modified dout .* in place \(\d+ of 12 entries changed\)"):
        assert_backward_leaves_dout_untouched(InPlaceReLU(), x)


def test_assert_loss_gradient():
    logits, labels = np.random.default_rng(2).normal(size=(5, 3)), np.array([0, 1, 2, 2, 1])
    assert assert_loss_gradient(nn.CrossEntropyLoss(), logits, labels).ok

    class NoMean(nn.CrossEntropyLoss):
        def backward(self, *args, **kwargs):
            return 5 * super().backward(*args, **kwargs)

    with pytest.raises(AssertionError, match=r"(?s)\[scale\] analytic = N x numeric.*batch size"):
        assert_loss_gradient(NoMean(), logits, labels)


def test_assert_function_gradient():
    w = np.random.default_rng(3).normal(size=(3, 2))
    assert_function_gradient(lambda w: 0.1 * np.sum(w * w), lambda w: 0.2 * w, w)
    with pytest.raises(AssertionError, match=r"\[sign\]"):
        assert_function_gradient(lambda w: 0.1 * np.sum(w * w), lambda w: -0.2 * w, w)


# -- builders and strategies -------------------------------------------------------
@given(shapes())
def test_shapes_are_small_batches(shape):
    assert len(shape) == 2 and all(1 <= side <= 5 for side in shape)


@given(batches(), batches((3, 2), low=0.5, high=1.0))
def test_batches_keep_every_entry_measurable(any_batch, fixed):
    assert any_batch.dtype == np.float64 and any_batch.ndim == 2
    assert np.all((np.abs(any_batch) >= 0.1) & (np.abs(any_batch) <= 3.0))
    assert fixed.shape == (3, 2) and np.all((np.abs(fixed) >= 0.5) & (np.abs(fixed) <= 1.0))


@given(away_from_kinks((4, 3)), away_from_kinks((5,), kinks=(-1.0, 1.0), margin=0.2))
def test_away_from_kinks_keeps_the_margin(relu_input, two_kinks):
    assert np.all(np.abs(relu_input) >= KINK_MARGIN) and np.all(np.abs(relu_input) <= 3.0)
    assert np.all(np.abs(two_kinks - 1.0) >= 0.2) and np.all(np.abs(two_kinks + 1.0) >= 0.2)


@given(away_from_kinks((4, 3)))
def test_a_students_relu_test_reads_like_this(x):
    assert_layer_gradients(nn.ReLU(), x)


def test_offsets_away_from_kink():
    z = np.random.default_rng(4).normal(size=(6, 3))
    assert np.all(np.abs(z + offsets_away_from_kink(z)) >= KINK_MARGIN)


def test_randomize_parameters_avoids_zero_and_is_seeded():
    a = randomize_parameters(nn.Linear(5, 4).double(), 3)
    b = randomize_parameters(nn.Linear(5, 4).double(), 3)
    assert np.all(np.abs(a.weight.data) >= 0.1) and np.array_equal(a.weight.data, b.weight.data)


# -- the PyTorch twin ----------------------------------------------------------------
def test_assert_matches_torch_for_builtin_layers():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).normal(size=(6, 4))
    errors = assert_matches_torch(randomize_parameters(nn.Linear(4, 3), 0), torch.nn.Linear(4, 3), x)
    assert set(errors) == {"output", "x", "weight", "bias"} and max(errors.values()) < 1e-10
    errors = assert_matches_torch(randomize_parameters(nn.BatchNorm1d(4), 1), torch.nn.BatchNorm1d(4), x)
    assert "running_var (after forward)" in errors
    assert_matches_torch(nn.ReLU(), torch.nn.ReLU(), x)


def test_assert_matches_torch_names_what_differs():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).normal(size=(3, 4))
    with pytest.raises(AssertionError, match=r"SigmoidMissingFactor differs from its PyTorch twin Sigmoid.*\n  x: "):
        assert_matches_torch(SigmoidMissingFactor(), torch.nn.Sigmoid(), x)


def test_assert_matches_torch_refuses_mismatched_modes():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="train"):
        assert_matches_torch(nn.BatchNorm1d(2).eval(), torch.nn.BatchNorm1d(2), np.ones((3, 2)))


def test_assert_matches_torch_skips_cleanly_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)          # `import torch` now raises ImportError
    with pytest.raises(pytest.skip.Exception, match="PyTorch is not installed"):
        assert_matches_torch(nn.ReLU(), object(), np.ones((2, 2)))


# -- what importing costs ---------------------------------------------------------------
def test_importing_tinynet_testing_needs_no_hypothesis_pytest_torch_or_lab():
    code = ("import sys, tinynet, tinynet.testing; "
            "print(sorted(m for m in ('hypothesis', 'pytest', 'torch', 'experiments') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True).stdout
    assert out.strip() == "[]"


def test_the_readme_example_fails_with_the_report_it_shows():
    import re
    readme = (ROOT / "README.md").read_text()
    [code] = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "class MyLinear" in b]
    [shown] = [b for b in re.findall(r"```text\n(.*?)```", readme, flags=re.S) if "gradcheck MyLinear" in b]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    with pytest.raises(AssertionError) as error:
        namespace["test_my_linear"]()
    assert f"AssertionError: {error.value}" == shown.strip()


def test_strategies_without_hypothesis_say_what_to_install(monkeypatch):
    import tinynet.testing
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "tinynet.testing.strategies", raising=False)
    monkeypatch.delattr(tinynet.testing, "strategies", raising=False)
    with pytest.raises(ImportError, match="pip install hypothesis"):
        tinynet.testing.away_from_kinks
