"""Inputs within the finite-difference step of a kink: a correct backward passes, a wrong one fails."""
import numpy as np
import pytest

from tinynet import nn
from tinynet.gradcheck import check_layer
from tinynet.testing import randomize_parameters


def away_from_zero(shape, seed=0):
    """Random signs, magnitudes in [0.1, 2]: no ReLU kink within any step."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


class SignFlippedReLU(nn.ReLU):
    def backward(self, dout, cache):
        return -super().backward(dout, cache)            # bug: the sign


class ReLUWithWideMask(nn.ReLU):
    """The bug shows only next to the kink: inputs in (0, 5e-4] get no gradient."""

    def forward(self, x):
        return np.maximum(x, 0), x

    def backward(self, dout, cache):
        return dout * (cache > 5e-4)                     # bug: the mask is x > 0


@pytest.mark.parametrize("offset", [0.0, 1e-4, -3e-4, 5e-4, 9.9e-4])
def test_a_correct_relu_near_its_kink_passes_with_a_kink_warning(offset):
    x = away_from_zero((3, 4), seed=4)
    x[1, 2] = offset
    result = check_layer(nn.ReLU(), x)
    assert result.ok and not result.hints and result.failed == ()
    [warning] = result.warnings
    assert (warning.kind, warning.tensor) == ("kink", "x")
    assert f"1 of 12 entries of x (e.g. x[1, 2] = {offset:.3g})" in warning.message
    assert "the backward is right there, and x passes" in warning.message
    detail = result.details["x"]
    assert detail.error_off_kinks < 1e-10          # every other entry agrees
    report = str(result)
    assert report.startswith("gradcheck ReLU: OK (largest relative error") and "entries near a kink left out" in report
    assert f"{detail.error:9.1e}  ok (see the kink warning)" in report


def test_without_the_kink_entries_a_correct_relu_agrees_to_rounding():
    x = away_from_zero((3, 4), seed=4)
    x[1, 2] = 1e-4
    result = check_layer(nn.ReLU(), x)
    clean = np.delete(np.arange(12), 6)              # x[1, 2] is entry 6
    analytic, numeric = result.details["x"].analytic.reshape(-1), result.details["x"].numeric.reshape(-1)
    assert np.max(np.abs(analytic[clean] - numeric[clean])) < 1e-10


def test_a_model_with_a_relu_input_at_its_kink_passes():
    model = randomize_parameters(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double(), 0)
    x = away_from_zero((5, 3), seed=1)
    z = x @ model[0].weight.data.T + model[0].bias.data
    model[0].bias.data[1] -= z[2, 1]                 # ReLU input [2, 1] sits exactly at 0
    result = check_layer(model, x)
    assert result.ok, str(result)
    assert {w.kind for w in result.warnings} == {"kink"}


def test_a_sign_bug_near_a_kink_still_gets_its_hint_and_fails():
    x = away_from_zero((3, 4), seed=4)
    x[0, 0] = 2e-4
    result = check_layer(SignFlippedReLU(), x)
    assert not result.ok and result.failed == ("x",)
    assert [h.kind for h in result.hints] == ["sign"] and [w.kind for w in result.warnings] == ["kink"]
    assert "The other entries disagree too" in result.warnings[0].message


def test_a_bug_only_at_the_kink_entries_fails():
    x = away_from_zero((3, 4), seed=4)
    x[1, 2], x[2, 3] = 1e-4, 3e-4                    # within (0, 5e-4]: the buggy mask drops them
    result = check_layer(ReLUWithWideMask(), x)
    assert not result.ok and result.failed == ("x",)
    [warning] = result.warnings
    assert "at 2 of these entries the backward matches the slope on neither side" in warning.message
    assert "the backward is wrong there" in warning.message
    assert "(near a kink)" in str(result)


def test_every_entry_at_a_kink_cannot_be_checked():
    result = check_layer(nn.ReLU(), np.zeros((2, 3)))
    assert not result.ok
    [warning] = result.warnings
    assert "That is every entry, so x cannot be checked at this point" in warning.message


def test_inputs_just_beyond_the_step_get_no_warning():
    x = away_from_zero((3, 4), seed=4)
    x[1, 2] = 1.01e-3
    result = check_layer(nn.ReLU(), x)
    assert result.ok and not result.warnings
