"""gradcheck's verdict, report and diagnoses: each classic bug named, correct layers left alone."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.gradcheck import (GradcheckResult, check_function, check_layer, check_loss, numerical_gradient,
                               relative_error)
from tinynet.testing import randomize_parameters

from broken_layers import LinearMeanBias

RNG = np.random.default_rng(7)


def away_from_zero(shape, seed=0):
    """Random signs, magnitudes in [0.1, 2]: no ReLU kink within any step."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)


def kinds(result):
    return sorted(h.kind for h in result.hints)


# -- broken layers: one classic bug each ---------------------------------------
class SignFlippedTanh(nn.Layer):
    def forward(self, x):
        y = np.tanh(x)
        return y, y

    def backward(self, dout, cache):
        y = cache
        return dout * (y ** 2 - 1.0)            # bug: 1 - y^2 has the other sign


class ReLUWithoutMask(nn.Layer):
    def forward(self, x):
        return np.maximum(x, 0), x

    def backward(self, dout, cache):
        return dout.copy()                      # bug: dout * (x > 0)


class LeakyReLUWithoutSlope(nn.Layer):
    def forward(self, x):
        return np.where(x > 0, x, 0.01 * x), x

    def backward(self, dout, cache):
        x = cache
        return dout * (x > 0)                   # bug: the negative side has slope 0.01


class LinearTransposedWeightGrad(nn.Linear):
    def backward(self, dout, cache, need_dx=True):
        x = cache
        self.weight.accumulate_grad(x.T @ dout)  # bug: dout.T @ x
        self.bias.accumulate_grad(dout.sum(axis=0))
        return dout @ self.weight.data


class LinearUnsummedBias(nn.Linear):
    def backward(self, dout, cache, need_dx=True):
        x = cache
        self.weight.accumulate_grad(dout.T @ x)
        self.bias.grad = dout.copy()            # bug: (N, out), not summed over the batch
        return dout @ self.weight.data


class LinearForgetsBias(nn.Linear):
    def backward(self, dout, cache, need_dx=True):
        x = cache
        self.weight.accumulate_grad(dout.T @ x)  # bug: the bias gradient is never set
        return dout @ self.weight.data


class DropoutWithoutReturn(nn.Layer):
    def forward(self, x):
        return 2.0 * x, None

    def backward(self, dout, cache):
        dx = 2.0 * dout                         # bug: no return  # noqa: F841


class ReLUInPlace(nn.Layer):
    def forward(self, x):
        return np.maximum(x, 0), x > 0

    def backward(self, dout, cache):
        dout *= cache                           # bug: writes into the caller's gradient
        return dout


class MeanCrossEntropyWithoutMean:
    """A loss: forward(input, target) -> (loss, cache); backward(dout, cache) -> d loss / d input."""

    def forward(self, z, y):
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return float(-np.log(p[np.arange(len(y)), y]).mean()), (p, y)

    def backward(self, dout, cache):
        p, y = cache
        d = p.copy()
        d[np.arange(len(y)), y] -= 1
        return dout * d                          # bug: the mean's 1/N is missing


class MSEWithoutTwo:
    def forward(self, x, t):
        diff = x - t
        return float((diff ** 2).mean()), diff

    def backward(self, dout, cache):
        diff = cache
        return dout * diff / diff.size           # bug: d(diff^2) = 2 diff


# -- each classic bug gets its hint --------------------------------------------
def test_sign_flip_is_diagnosed():
    result = check_layer(SignFlippedTanh(), RNG.normal(size=(4, 3)))
    assert not result.ok and result.failed == ("x",)
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("sign", "x")
    assert "-1 x numeric" in hint.message and hint.message in str(result).replace("\n      ", " ")


def test_missing_relu_mask_is_diagnosed_as_zeros():
    x = away_from_zero((5, 4), seed=1)
    result = check_layer(ReLUWithoutMask(), x)
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("zeros", "x")
    assert f"{int((x < 0).sum())} of 20 entries" in hint.message and "mask" in hint.message


def test_missing_branch_is_diagnosed_as_zeros():
    result = check_layer(LeakyReLUWithoutSlope(), away_from_zero((5, 4), seed=2))
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("zeros", "x")
    assert "is 0 at" in hint.message and "branch" in hint.message


def test_transposed_weight_gradient_is_diagnosed_by_shape():
    layer = randomize_parameters(LinearTransposedWeightGrad(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    assert result.failed == ("weight",) and result["weight"] == float("inf")
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("transpose", "weight")
    assert "(4, 3)" in hint.message and "(3, 4)" in hint.message and "LinearTransposedWeightGrad" in hint.message


def test_transposed_square_weight_gradient_is_diagnosed_by_value():
    layer = randomize_parameters(LinearTransposedWeightGrad(4, 4).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    assert kinds(result) == ["transpose"] and result.hints[0].tensor == "weight"


def test_bias_gradient_as_mean_is_diagnosed():
    layer = randomize_parameters(LinearMeanBias(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(6, 4)))
    assert result.failed == ("bias",)
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("mean_not_sum", "bias")
    assert "1/6" in hint.message and "SUM" in hint.message


def test_missing_one_over_n_in_a_loss_is_a_scale_naming_the_batch_size():
    logits, labels = RNG.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    result = check_loss(MeanCrossEntropyWithoutMean(), logits, labels)
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("scale", "input")
    assert hint.message.startswith("analytic = N x numeric = 5 x numeric for every entry of input, where N = 5 is "
                                   "the batch size: a missing 1/N = 1/5")


def test_missing_factor_two_is_a_scale():
    x, t = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    [hint] = check_loss(MSEWithoutTwo(), x, t).hints
    assert hint.kind == "scale" and "= 0.5 x numeric" in hint.message and ": a missing factor 2" in hint.message


def test_backward_returning_none_names_the_layer_and_the_tensor():
    result = check_layer(DropoutWithoutReturn(), RNG.normal(size=(3, 2)))
    assert not result.ok and result["x"] == float("inf")
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("none", "x")
    assert "DropoutWithoutReturn.backward returned None" in hint.message and "(3, 2)" in hint.message


def test_a_parameter_gradient_never_set_is_none():
    layer = randomize_parameters(LinearForgetsBias(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    assert result.failed == ("bias",)
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("none", "bias")
    assert "LinearForgetsBias" in hint.message and "accumulate_grad" in hint.message


def test_an_unused_parameter_needs_no_gradient():
    class ScaleWithSpare(nn.Layer):
        def __init__(self):
            super().__init__()
            self.spare = nn.Parameter(np.ones(3))     # never touches the output

        def forward(self, x):
            return 3.0 * x, None

        def backward(self, dout, cache):
            return 3.0 * dout

    result = check_layer(ScaleWithSpare(), RNG.normal(size=(2, 3)))
    assert result.ok and result["spare"] == 0.0 and not result.hints


def test_other_shape_mismatches_name_both_shapes():
    layer = randomize_parameters(LinearUnsummedBias(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("shape", "bias")
    assert "(5, 3)" in hint.message and "(3,)" in hint.message and "LinearUnsummedBias" in hint.message
    assert "sum over axis 0" in hint.message


def test_a_tuple_from_a_single_input_backward_is_a_shape_hint():
    class TupleReLU(nn.Layer):
        def forward(self, x):
            return np.maximum(x, 0), x > 0

        def backward(self, dout, cache):
            return (dout * cache,)                   # bug: one input, so return the array itself

    [hint] = check_layer(TupleReLU(), away_from_zero((3, 2))).hints
    assert hint.kind == "shape" and "gave a tuple of 1 as the gradient of x" in hint.message


def test_a_forward_producing_nan_is_reported_not_compared():
    class Log(nn.Layer):
        def forward(self, x):
            return np.log(x), x

        def backward(self, dout, cache):
            return dout / cache

    with np.errstate(all="ignore"):
        result = check_layer(Log(), np.array([[1.0, 2.0, 5e-4]]))
    assert kinds(result) == ["nonfinite"] and "forward" in result.hints[0].message
    assert result["x"] == float("inf") and not result.ok


def test_backward_modifying_dout_is_reported():
    result = check_layer(ReLUInPlace(), away_from_zero((4, 3)))
    assert not result.ok
    assert [(h.kind, h.tensor) for h in result.hints] == [("dout_modified", "dout")]
    assert "in place" in str(result)


def test_forward_modifying_its_input_is_reported_and_does_not_corrupt_the_check():
    class ReLUOverwritingInput(nn.Layer):
        def forward(self, x):
            x[x < 0] = 0                             # bug: the caller's x changes
            return x, x > 0

        def backward(self, dout, cache):
            return dout * cache

    x = away_from_zero((4, 3), seed=5)
    result = check_layer(ReLUOverwritingInput(), x)
    assert [(h.kind, h.tensor) for h in result.hints] == [("input_modified", "x")] and not result.ok
    assert "hint [input_modified]" in str(result)
    assert result["x"] < 1e-9                        # the gradients themselves are right
    assert np.any(x < 0)                             # and the caller's array was never touched


def test_a_need_dx_false_path_that_drops_a_parameter_gradient_is_reported():
    class LinearSkippingBias(nn.Linear):
        def backward(self, dout, cache, need_dx=True):
            x = cache
            self.weight.accumulate_grad(dout.T @ x)
            if not need_dx:
                return None                          # bug: returns before the bias gradient
            self.bias.accumulate_grad(dout.sum(axis=0))
            return dout @ self.weight.data

    layer = randomize_parameters(LinearSkippingBias(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    assert [(h.kind, h.tensor) for h in result.hints] == [("need_dx", "bias")] and not result.ok
    assert "hint [need_dx]" in str(result)
    assert result["bias"] < 1e-9 and layer.bias.grad is not None     # left holding the need_dx=True gradient


def test_nonfinite_gradient_is_reported():
    class NaNGrad(nn.Layer):
        def forward(self, x):
            return x * 1.0, None

        def backward(self, dout, cache):
            return dout / 0.0 * 0.0                  # nan everywhere

    with np.errstate(all="ignore"):
        result = check_layer(NaNGrad(), RNG.normal(size=(2, 2)))
    assert kinds(result) == ["nonfinite"] and result["x"] == float("inf") and not result.ok


# -- correct layers: ok, no hints, no warnings ---------------------------------
def _builtin_cases():
    x = away_from_zero((5, 4), seed=3)
    bn_eval = randomize_parameters(nn.BatchNorm1d(4).double(), 2).eval()
    bn_eval.running_var[...] = 1.5
    cases = {
        "Linear": (randomize_parameters(nn.Linear(4, 3).double(), 1), x),
        "ReLU": (nn.ReLU(), x),
        "BatchNorm1d (train)": (randomize_parameters(nn.BatchNorm1d(4).double(), 2),
                                x + 3.0 * np.arange(5)[:, None]),
        "BatchNorm1d (eval)": (bn_eval, x),
        "Dropout": (nn.Dropout(0.3).double(), x),
        "DropConnect": (randomize_parameters(nn.DropConnect(4, 3, p=0.3).double(), 4), x),
        "Flatten": (nn.Flatten(), x.reshape(5, 2, 2)),
    }
    for name in ("Sigmoid", "Tanh", "LeakyReLU", "Softmax"):
        cases[name] = (getattr(nn, name)().double(), x)
    return cases


@pytest.mark.parametrize("name", list(_builtin_cases()))
def test_every_builtin_layer_passes_without_hints(name):
    layer, x = _builtin_cases()[name]
    result = check_layer(layer, x, seed=5)
    assert result.ok and not result.hints and not result.warnings, str(result)
    assert str(result).startswith(f"gradcheck {type(layer).__name__}: OK")


def test_builtin_losses_pass_without_hints():
    logits = RNG.normal(size=(5, 3))
    result = check_loss(nn.CrossEntropyLoss(), logits, np.array([0, 2, 1, 1, 0]))
    assert result.ok and not result.hints and not result.warnings, str(result)
    result = check_loss(nn.MSELoss(), logits, RNG.normal(size=(5, 3)))
    assert result.ok and not result.hints and not result.warnings, str(result)


def test_a_model_passes_and_lists_its_parameters():
    model = randomize_parameters(nn.Sequential(nn.Linear(3, 4), nn.Tanh(),
                                               nn.Linear(4, 2)).double(), 0)
    result = check_layer(model, RNG.normal(size=(3, 3)))
    assert result.ok and list(result) == ["x", "0.weight", "0.bias", "2.weight", "2.bias"]


# -- the result: a read-only mapping with a verdict ------------------------------
def test_result_is_a_read_only_mapping_of_errors_with_details():
    layer = randomize_parameters(nn.Linear(4, 3).double(), 0)
    result = check_layer(layer, RNG.normal(size=(5, 4)))
    assert isinstance(result, GradcheckResult)
    assert list(result) == ["x", "weight", "bias"] and len(result) == 3
    assert result["x"] < 1e-9 and max(result.values()) < 1e-9 and set(dict(result)) == {"x", "weight", "bias"}
    assert result.tolerance == 1e-7 and result.ok and result.failed == ()
    with pytest.raises(TypeError):
        result["x"] = 0.0                                          # read-only
    with pytest.raises(TypeError):
        result.details["x"] = None
    detail = result.details["weight"]
    assert detail.analytic.shape == detail.numeric.shape == (3, 4)
    np.testing.assert_allclose(detail.analytic, layer.weight.grad)
    assert "<GradcheckResult of Linear: ok" in repr(result)


def test_a_stated_tolerance_decides_the_verdict():
    layer = randomize_parameters(nn.Linear(4, 3).double(), 0)
    x = RNG.normal(size=(5, 4))
    assert check_layer(layer, x).ok
    strict = check_layer(layer, x, tolerance=1e-30)
    assert not strict.ok and strict.tolerance == 1e-30 and "FAILED" in str(strict)


def test_report_shows_worst_entries_with_index_analytic_and_numeric():
    result = check_layer(SignFlippedTanh(), np.array([[0.5, -1.0], [2.0, 0.1]]))
    lines = str(result).splitlines()
    assert lines[0] == "gradcheck SignFlippedTanh: FAILED for x (tolerance 1e-07)"
    [row] = [line for line in lines if line.strip().startswith("x[0, 1]")]
    analytic, numeric = (float(v) for v in row.split()[2:4])
    assert analytic == pytest.approx(-numeric) and numeric == pytest.approx(result.details["x"].numeric[0, 1])


def test_a_result_is_not_a_number():
    result = check_loss(nn.CrossEntropyLoss(), RNG.normal(size=(4, 3)), np.array([0, 1, 2, 0]))
    with pytest.raises(TypeError):
        result < 1e-7                                              # compare result["input"] or check result.ok


def test_a_loss_forward_must_return_the_loss_and_its_cache():
    class BareLoss:
        def forward(self, z, y):
            return float(np.sum(z))

        def backward(self, dout, cache=None):
            return dout * np.ones((2, 2))

    with pytest.raises(TypeError, match=r"BareLoss.forward must return \(out, cache\)"):
        check_loss(BareLoss(), np.ones((2, 2)), None)


def test_check_layer_restores_buffers():
    layer = nn.BatchNorm1d(3).double()
    check_layer(layer, RNG.normal(size=(4, 3)))
    np.testing.assert_array_equal(layer.running_mean, 0.0)
    np.testing.assert_array_equal(layer.running_var, 1.0)
    assert int(layer.num_batches_tracked) == 0


def test_multi_input_layer():
    class Add(nn.Layer):
        def forward(self, a, b):
            return a + b, None

        def backward(self, dout, cache):
            return dout, dout

    class AddForgetsOne(Add):
        def backward(self, dout, cache):
            return dout

    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    result = check_layer(Add(), (a, b))
    assert result.ok and list(result) == ["x0", "x1"]
    broken = check_layer(AddForgetsOne(), (a, b))
    assert not broken.ok and kinds(broken) == ["shape", "shape"]


def test_check_function_scalar_and_elementwise():
    w = RNG.normal(size=(3, 2))
    assert check_function(lambda w: 0.3 * np.sum(w ** 2), lambda w: 0.6 * w, w).ok
    [hint] = check_function(lambda w: 0.3 * np.sum(w ** 2), lambda w: 0.3 * w, w).hints
    assert hint.kind == "scale"

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    assert check_function(sigmoid, lambda x, dout: dout * sigmoid(x) * (1 - sigmoid(x)), w).ok
    with pytest.raises(TypeError, match="df must take \\(x, dout\\)"):
        check_function(sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)), w)


# -- misuse gets a clear error ------------------------------------------------------
def test_float32_parameters_are_refused_by_name():
    with pytest.raises(TypeError, match="weight is float32: call layer.double"):
        check_layer(nn.Linear(2, 2), RNG.normal(size=(3, 2)))


def test_forward_without_cache_is_refused():
    class NoCache(nn.Layer):
        def forward(self, x):
            return 2 * x

        def backward(self, dout, cache):
            return 2 * dout

    with pytest.raises(TypeError, match=r"NoCache.forward must return \(out, cache\)"):
        check_layer(NoCache(), RNG.normal(size=(2, 2)))


def test_check_function_refuses_a_float32_array():
    with pytest.raises(TypeError, match="float64"):
        check_function(np.sum, np.ones_like, np.ones(3, dtype=np.float32))


def test_numerical_gradient_and_relative_error_stay_available():
    x = RNG.normal(size=4)
    grad = numerical_gradient(lambda: np.sin(x), x, np.ones(4))
    assert relative_error(grad, np.cos(x)) < 1e-10
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones(2), np.ones(3))
    assert tn.gradcheck.check_layer is check_layer


@pytest.mark.parametrize("make", [SignFlippedTanh, ReLUWithoutMask, LeakyReLUWithoutSlope, DropoutWithoutReturn,
                                  ReLUInPlace, lambda: randomize_parameters(LinearMeanBias(4, 3).double(), 0),
                                  lambda: randomize_parameters(LinearUnsummedBias(4, 3).double(), 0),
                                  lambda: randomize_parameters(LinearForgetsBias(4, 3).double(), 0),
                                  lambda: randomize_parameters(LinearTransposedWeightGrad(4, 3).double(), 0)])
def test_the_report_carries_every_hint(make):
    result = check_layer(make(), away_from_zero((5, 4), seed=6))
    report = " ".join(str(result).split())
    assert result.hints and all(" ".join(h.message.split()) in report for h in result.hints)
    assert report.startswith(f"gradcheck {result.subject}: FAILED")
