"""nn.init against torch.nn.init: the same gains, fans, bounds and stds to the
last bit, sampled values with the right statistics, filled in place in the
target's dtype from tinynet's generator, and torch's refusals."""
import math
import re
import warnings

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn
from tinynet.nn import init

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation; "
                                            "install it with pip install -e '.[test]'")

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
SLOPES = [None, 0, 0.01, 0.2, 1, -0.5, 3, math.sqrt(5), 1e-8]
SHAPES = [(1, 1), (3, 2), (2, 3), (100, 784), (10, 100), (7, 3, 5), (8, 3, 3, 3), (16, 4, 2, 5, 3), (1, 9, 1, 1)]
RANDOM_INITS = [
    ("xavier_uniform_", dict()), ("xavier_uniform_", dict(gain=0.5)), ("xavier_uniform_", dict(gain=5.0 / 3)),
    ("xavier_normal_", dict()), ("xavier_normal_", dict(gain=math.sqrt(2.0))),
    ("kaiming_uniform_", dict()), ("kaiming_uniform_", dict(a=math.sqrt(5))),
    ("kaiming_uniform_", dict(a=0.2, mode="fan_out")), ("kaiming_uniform_", dict(nonlinearity="relu")),
    ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="tanh")),
    ("kaiming_normal_", dict()), ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", dict(a=0.1, mode="FAN_IN")), ("kaiming_normal_", dict(nonlinearity="linear")),
]


class RecordingGenerator(np.random.Generator):
    """A real NumPy generator that also notes the distribution each fill asked for."""

    def __init__(self, seed):
        super().__init__(np.random.PCG64(seed))
        self.calls = []

    def uniform(self, low=0.0, high=1.0, size=None):
        self.calls.append(("uniform_", low, high))
        return super().uniform(low, high, size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        self.calls.append(("normal_", loc, scale))
        return super().normal(loc, scale, size)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_gains_match_torch(nonlinearity):
    for slope in SLOPES:
        assert init.calculate_gain(nonlinearity, slope) == torch.nn.init.calculate_gain(nonlinearity, slope)


def test_fans_match_torch_for_linear_and_conv_shapes():
    for shape in SHAPES + [(0, 5), (5, 0), (2, 0, 3)]:
        ours = init.calculate_fan_in_and_fan_out(np.empty(shape, np.float32))
        assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape)), shape
    assert init.calculate_fan_in_and_fan_out(nn.Parameter(np.empty((8, 3, 5, 5)))) == (75, 200)


@pytest.mark.parametrize("name, kwargs", RANDOM_INITS)
def test_bounds_and_stds_match_torch_to_the_last_bit(name, kwargs):
    """Torch's own init function and torch's uniform_/normal_ called with OUR bound
    (or std), from the same torch seed, must give identical tensors: they do only
    if the two numbers are equal (a 1-ulp difference changes the samples)."""
    for shape in SHAPES:
        recorder = RecordingGenerator(0)
        getattr(init, name)(np.empty(shape), **kwargs, generator=recorder)
        [(method, first, second)] = recorder.calls
        if method == "uniform_":
            assert -first == second > 0                      # U(-b, b)
        else:
            assert first == 0 and second > 0                  # N(0, std^2)
        ref = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), **kwargs,
                                           generator=torch.Generator().manual_seed(1))
        again = getattr(torch.empty(shape, dtype=torch.float64), method)(
            first, second, generator=torch.Generator().manual_seed(1))
        assert torch.equal(ref, again), (shape, method, first, second)


@pytest.mark.parametrize("name, kwargs", RANDOM_INITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sampled_values_have_the_formulas_statistics(name, kwargs, dtype):
    shape = (300, 200)
    recorder = RecordingGenerator(2)
    w = getattr(init, name)(np.empty(shape, dtype), **kwargs, generator=recorder)
    [(method, _, spread)] = recorder.calls
    n = w.size
    assert w.dtype == dtype
    if method == "uniform_":
        bound = spread
        assert np.abs(w).max() <= dtype(bound)
        assert np.abs(w).max() > 0.999 * bound                # 60,000 draws reach the edges
        std, std_error = bound / math.sqrt(3), bound / math.sqrt(15 * n)   # SE of s for U(-b, b)
    else:
        std, std_error = spread, spread / math.sqrt(2 * n)                 # SE of s for a normal
    assert abs(w.mean()) < 4 * std / math.sqrt(n)
    assert abs(w.std() - std) < 4 * std_error


def test_fills_in_place_and_returns_what_it_was_given():
    layer = nn.Linear(30, 20)
    array = layer.weight.data
    assert init.kaiming_normal_(layer.weight, nonlinearity="relu") is layer.weight
    assert layer.weight.data is array and array.dtype == np.float32
    w = np.zeros((4, 5))
    assert init.xavier_uniform_(w) is w and (w != 0).all()
    view = np.zeros((5, 4)).T                                  # a transposed view: filled through it
    init.uniform_(view, -1, 1)
    assert (view.base != 0).all()


def test_seeded_by_tinynets_generator():
    """tn.manual_seed(s) then init: the same values as np.random.default_rng(s) drawing in float64."""
    tn.manual_seed(3)
    w = init.kaiming_uniform_(np.empty((6, 5), np.float32), nonlinearity="relu")
    bound = math.sqrt(3.0) * (math.sqrt(2.0) / math.sqrt(5))
    np.testing.assert_array_equal(w, np.random.default_rng(3).uniform(-bound, bound, (6, 5)).astype(np.float32))
    tn.manual_seed(3)
    np.testing.assert_array_equal(init.kaiming_uniform_(np.empty((6, 5), np.float32), nonlinearity="relu"), w)
    mine = init.normal_(np.empty(4), 1.0, 2.0, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(mine, np.random.default_rng(7).normal(1.0, 2.0, 4))


def test_plain_fills():
    w = nn.Parameter(np.empty((3, 2), np.float32))
    assert init.constant_(w, np.float64(0.25)) is w and (w.data == 0.25).all() and w.data.dtype == np.float32
    assert (init.ones_(np.empty(3)) == 1).all() and (init.zeros_(np.full((2, 2), 5.0)) == 0).all()
    tn.manual_seed(0)
    u = init.uniform_(np.empty(20_000), -2, 3)
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 4 * (5 / math.sqrt(12)) / math.sqrt(u.size)
    g = init.normal_(np.empty(20_000), mean=1.0, std=0.5)
    assert abs(g.mean() - 1.0) < 4 * 0.5 / math.sqrt(g.size) and abs(g.std() - 0.5) < 4 * 0.5 / math.sqrt(2 * g.size)
    b = init.uniform_(np.empty(5), 1.5, 1.5)                   # a == b is allowed: every value is a
    assert (b == 1.5).all()


# -- errors, where torch raises them ---------------------------------------------
@pytest.mark.parametrize("call", [
    lambda m, t: m.xavier_uniform_(t), lambda m, t: m.xavier_normal_(t),
    lambda m, t: m.kaiming_uniform_(t), lambda m, t: m.kaiming_normal_(t, nonlinearity="relu"),
])
@pytest.mark.parametrize("shape", [(), (3,)])
def test_fewer_than_two_dimensions_is_a_value_error_as_in_torch(call, shape):
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        call(torch.nn.init, torch.empty(shape))
    with pytest.raises(ValueError, match=r"fan in and fan out can not be computed for an array with fewer "
                                         rf"than 2 dimensions, got shape {re.escape(str(shape))}"):
        call(init, np.empty(shape))


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_bad_mode_and_nonlinearity_are_value_errors_as_in_torch(name):
    t, w = torch.empty(4, 3), np.empty((4, 3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        getattr(torch.nn.init, name)(t, mode="fan_avg")
    with pytest.raises(ValueError, match=rf"^{name}: mode must be 'fan_in' or 'fan_out', got the string 'fan_avg'$"):
        getattr(init, name)(w, mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        getattr(torch.nn.init, name)(t, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"^calculate_gain: nonlinearity must be 'linear', .* or 'selu', "
                                         r"got the string 'gelu'$"):
        getattr(init, name)(w, nonlinearity="gelu")
    with pytest.raises(TypeError, match=rf"^{name}: mode must be 'fan_in' or 'fan_out', got None$"):
        getattr(init, name)(w, mode=None)


def test_bad_gain_arguments():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        torch.nn.init.calculate_gain("Relu")
    with pytest.raises(ValueError, match=r"nonlinearity must be .*got the string 'Relu'"):
        init.calculate_gain("Relu")                      # names are exact, as in torch
    with pytest.raises(TypeError, match=r"^calculate_gain: param \(the negative slope\) must be a finite number, "
                                        r"got True \(of type bool\)$"):
        init.calculate_gain("leaky_relu", True)          # torch refuses it too (with a ValueError)
    with pytest.raises(ValueError, match=r"param \(the negative slope\) must be a finite number, got nan"):
        init.calculate_gain("leaky_relu", float("nan"))
    with pytest.raises(ValueError, match=r"^xavier_normal_: gain must be a non-negative number, got -1.0$"):
        init.xavier_normal_(np.empty((2, 2)), gain=-1.0)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_zero_element_weights_warn_and_stay_untouched_as_in_torch(name):
    for module in (torch.nn.init, init):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            getattr(module, name)(torch.empty(0, 3) if module is torch.nn.init else np.empty((0, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert init.xavier_uniform_(np.empty((0, 3))).shape == (0, 3)       # as torch: no warning


def test_range_and_target_errors():
    with pytest.raises(RuntimeError, match="expects to return a \\[from, to\\) range"):
        torch.nn.init.uniform_(torch.empty(3), 1, 0)
    with pytest.raises(ValueError, match=r"^uniform_: b must be a number >= a = 1 \(the interval is \[a, b\)\), "
                                         r"got 0$"):
        init.uniform_(np.empty(3), 1, 0)
    with pytest.raises(ValueError, match=r"^normal_: std must be a non-negative number, got -1$"):
        init.normal_(np.empty(3), 0, -1)
    with pytest.raises(TypeError, match=r"^constant_: val must be a finite number, got the string '1'$"):
        init.constant_(np.empty(3), "1")
    with pytest.raises(TypeError, match=r"^zeros_ fills a Parameter or a floating-point numpy array in place, "
                                        r"got int64 array$"):
        init.zeros_(np.zeros(3, np.int64))
    with pytest.raises(TypeError, match=r"^kaiming_normal_ fills .*got a Parameter holding int32 array$"):
        init.kaiming_normal_(nn.Parameter(np.zeros((2, 2), np.int32)))
    with pytest.raises(TypeError, match=r"^ones_ fills .*got list$"):
        init.ones_([0.0, 0.0])
    with pytest.raises(TypeError, match=r"^normal_: generator must be a numpy.random.Generator .*got int$"):
        init.normal_(np.empty(3), generator=0)
    before = np.zeros((2, 3))
    with pytest.raises(ValueError):
        init.kaiming_uniform_(before, mode="fan_avg")
    assert (before == 0).all()                           # a refused call writes nothing


def test_linear_keeps_its_own_bound_which_kaiming_a_sqrt5_matches_in_distribution():
    """nn.Linear's U(-1/sqrt(in), 1/sqrt(in)) is kaiming_uniform_(a=sqrt(5)) up to the last bit of the
    bound; the bits differ for some widths (in=100 of the lab's model), so Linear keeps 1/sqrt(in)."""
    for fan_in in (784, 100, 7, 1):
        recorder = RecordingGenerator(0)
        init.kaiming_uniform_(np.empty((3, fan_in)), a=math.sqrt(5), generator=recorder)
        assert math.isclose(recorder.calls[0][2], 1 / math.sqrt(fan_in), rel_tol=1e-15, abs_tol=0)
    recorder = RecordingGenerator(0)
    init.kaiming_uniform_(np.empty((3, 100)), a=math.sqrt(5), generator=recorder)
    assert recorder.calls[0][2] != 1 / math.sqrt(100)
