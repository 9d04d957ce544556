"""Layer construction arguments, checked by tinynet/arguments.py: NumPy
scalars and 0-d arrays accepted like Python numbers, one message style
("<Class>: <name> must be <what>, got <value>") with plain values, TypeError
for wrong types, ValueError for wrong values, NaN and infinities refused."""
import numpy as np
import pytest

from tinynet import nn


# -- NumPy scalars are accepted wherever a Python number is ---------------------

def test_dropout_accepts_a_numpy_float():
    """Dropout(np.float32(0.3)) once said 'must be in [0, 1), got np.float32(0.3)'."""
    layer = nn.Dropout(np.float32(0.3))
    assert type(layer.p) is float and layer.p == pytest.approx(0.3)
    x = np.ones((50, 40), np.float32)
    y, _ = layer.forward(x)
    assert y.dtype == np.float32


def test_dropconnect_accepts_numpy_sizes_and_probability():
    layer = nn.DropConnect(np.int64(6), np.int32(4), p=np.float64(0.25))
    assert (layer.in_features, layer.out_features, layer.p) == (6, 4, 0.25)
    assert type(layer.in_features) is int and type(layer.p) is float
    y, _ = layer.forward(np.ones((3, 6), np.float32))
    assert y.shape == (3, 4) and y.dtype == np.float32       # a NumPy float64 p never upcasts


def test_linear_accepts_numpy_integers():
    layer = nn.Linear(np.int64(784), np.uint8(100))
    assert layer.weight.shape == (100, 784) and type(layer.out_features) is int


def test_batchnorm_accepts_numpy_scalars_and_stays_float32():
    layer = nn.BatchNorm1d(np.int64(4), eps=np.float64(1e-3), momentum=np.float64(0.2))
    assert (layer.eps, layer.momentum) == (1e-3, 0.2)
    assert type(layer.eps) is float and type(layer.momentum) is float
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    y, _ = layer.forward(x)
    assert y.dtype == layer.running_mean.dtype == layer.running_var.dtype == np.float32
    np.testing.assert_allclose(layer.running_mean, 0.2 * x.mean(axis=0), rtol=1e-6)


def test_leaky_relu_accepts_a_numpy_slope_and_keeps_float32():
    layer = nn.LeakyReLU(np.float64(0.2))
    assert type(layer.negative_slope) is float
    y, cache = layer.forward(np.array([[-1.0, 2.0]], np.float32))
    assert y.dtype == np.float32 and y.tolist() == [[np.float32(-0.2), 2.0]]
    assert layer.backward(np.ones((1, 2), np.float32), cache).dtype == np.float32


def test_softmax_accepts_a_numpy_integer_dim():
    assert nn.Softmax(dim=np.int64(-1)).dim == -1


# -- wrong types: TypeError naming the argument ---------------------------------

@pytest.mark.parametrize("make, message", [
    # the case: a bare comparison TypeError before
    (lambda: nn.BatchNorm1d(4, momentum="0.1"),
     r"BatchNorm1d: momentum must be a number in \[0, 1\] or None, got the string '0.1'"),
    (lambda: nn.BatchNorm1d(4, eps="1e-5"), r"eps must be a positive number, got the string '1e-5'"),
    (lambda: nn.BatchNorm1d(4, momentum=[0.1]), r"momentum must be a number .*got \[0.1\] \(of type list\)"),
    (lambda: nn.BatchNorm1d(np.array(4.0)), r"BatchNorm1d: num_features must be a positive integer, got 4.0$"),
    (lambda: nn.BatchNorm1d(4.0), "num_features must be a positive integer, got 4.0"),
    (lambda: nn.Dropout("0.3"), r"Dropout: p is the probability of dropping and must be a number .*'0.3'"),
    (lambda: nn.Dropout(None), "p is the probability of dropping"),
    (lambda: nn.Dropout(True), r"got True \(of type bool\)"),
    (lambda: nn.DropConnect(3, 2, p=np.array([0.5])), "DropConnect: p"),
    (lambda: nn.Linear(2.5, 3), "in_features must be a positive integer, got 2.5"),
    (lambda: nn.Linear(3, "4"), "out_features must be a positive integer, got the string '4'"),
    (lambda: nn.Linear(True, 3), "in_features must be a positive integer, got True"),
    (lambda: nn.LeakyReLU("0.1"), "LeakyReLU: negative_slope must be a finite number, got the string"),
    (lambda: nn.Softmax(dim="1"), "Softmax: dim must be an integer axis, got the string '1'"),
    (lambda: nn.Softmax(dim=1.0), "dim must be an integer axis, got 1.0$"),
    (lambda: nn.Softmax(dim=True), r"dim must be an integer axis, got True \(of type bool\)"),
    (lambda: nn.Concat(dim=True), r"Concat: dim must be an integer axis, got True"),
    (lambda: nn.Concat(dim=None), r"Concat: dim must be an integer axis, got None$"),
])
def test_wrong_type_is_a_type_error_naming_the_argument(make, message):
    with pytest.raises(TypeError, match=message):
        make()


# -- wrong values: ValueError with the value shown plainly ---------------------

@pytest.mark.parametrize("make, message", [
    (lambda: nn.Dropout(np.float32(1.5)), r"must be a number in \[0, 1\), got 1.5$"),
    (lambda: nn.Dropout(1.0), r"Dropout: p is the probability of dropping and must be a number in \[0, 1\), got 1.0$"),
    (lambda: nn.Dropout(float("nan")), r"must be a number in \[0, 1\), got nan"),
    (lambda: nn.Dropout(np.float64(np.nan)), r"must be a number in \[0, 1\), got nan"),
    (lambda: nn.Dropout(float("inf")), r"must be a number in \[0, 1\), got inf"),
    (lambda: nn.DropConnect(3, 2, p=np.float32(-0.5)), r"got -0.5$"),
    (lambda: nn.BatchNorm1d(4, momentum=float("nan")), r"momentum must be a number in \[0, 1\] or None, got nan"),
    (lambda: nn.BatchNorm1d(4, momentum=np.float32(1.5)),
     r"momentum must be a number in \[0, 1\] or None, got 1.5$"),
    (lambda: nn.BatchNorm1d(4, eps=float("nan")), "BatchNorm1d: eps must be a positive number, got nan$"),
    (lambda: nn.BatchNorm1d(4, eps=0), "eps must be a positive number, got 0$"),
    (lambda: nn.BatchNorm1d(4, eps=float("inf")), r"eps must be a positive number, got inf \(not a finite number\)"),
    (lambda: nn.BatchNorm1d(np.int64(0)), "num_features must be a positive integer, got 0$"),
    (lambda: nn.Linear(np.int32(-3), 2), "in_features must be a positive integer, got -3$"),
    (lambda: nn.LeakyReLU(float("nan")), "negative_slope must be a finite number, got nan$"),
    (lambda: nn.LeakyReLU(np.float32(np.inf)), "negative_slope must be a finite number, got inf$"),
    (lambda: nn.Concat(dim=0), r"Concat: dim must be 1, got 0 \(it joins along the feature axis, dim=1, only\)"),
    (lambda: nn.Concat(dim=np.int64(2)), r"Concat: dim must be 1, got 2 "),
])
def test_bad_value_is_a_value_error_with_a_plain_value(make, message):
    with pytest.raises(ValueError, match=message) as error:
        make()
    assert "np." not in str(error.value)


def test_softmax_axis_must_exist():
    with pytest.raises(ValueError, match=r"Softmax\(dim=2\) needs an array with axis 2, got \(3, 4\)"):
        nn.Softmax(dim=2).forward(np.zeros((3, 4)))


def test_reprs_show_plain_numbers():
    assert repr(nn.Dropout(np.float64(0.25))) == "Dropout(p=0.25)"
    assert repr(nn.LeakyReLU(np.float64(0.2))) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.BatchNorm1d(np.int64(3), momentum=np.float64(0.5))) == "BatchNorm1d(3, eps=1e-05, momentum=0.5)"


# -- the shared module: 0-d arrays, class names, one checker per kind -----------

def test_zero_dimensional_arrays_are_numbers():
    """np.array(0.3) (a 0-d array, as from a config file) is a number like 0.3, stored as a Python one."""
    layer = nn.Dropout(np.array(0.25))
    assert type(layer.p) is float and layer.p == 0.25
    linear = nn.Linear(np.array(3), np.array(2, np.int32))
    assert type(linear.in_features) is int and linear.weight.shape == (2, 3)
    assert nn.Softmax(dim=np.array(-1)).dim == -1 and type(nn.Softmax(dim=np.array(-1)).dim) is int
    assert nn.Concat(dim=np.int64(1)).dim == 1
    bn = nn.BatchNorm1d(2, momentum=None)
    assert bn.momentum is None


def test_messages_name_the_class_that_was_built():
    """A subclass is named as itself: DropConnect's sizes are checked by Linear's code."""
    with pytest.raises(ValueError, match=r"^DropConnect: in_features must be a positive integer, got 0$"):
        nn.DropConnect(0, 3)

    class WideLinear(nn.Linear):
        pass

    with pytest.raises(TypeError, match=r"^WideLinear: out_features must be a positive integer"):
        WideLinear(3, "4")


def test_the_checkers_refuse_what_they_should():
    from tinynet import arguments

    class Owner:
        pass

    owner = Owner()
    assert arguments.check_choice(owner, "mode", "a", ("a", "b", "c")) == "a"
    with pytest.raises(ValueError, match=r"^Owner: mode must be 'a', 'b' or 'c', got the string 'd'$"):
        arguments.check_choice(owner, "mode", "d", ("a", "b", "c"))
    with pytest.raises(TypeError, match=r"^Owner: mode must be 'a' or 'b', got None$"):
        arguments.check_choice(owner, "mode", None, ("a", "b"))
    assert arguments.check_bool(owner, "flag", np.bool_(True)) is True
    for not_a_bool in (1, 0, "yes", 0.9, None):
        with pytest.raises(TypeError, match=r"^Owner: flag must be True or False, got "):
            arguments.check_bool(owner, "flag", not_a_bool)
    with pytest.raises(ValueError, match=r"^Owner: x must be a non-negative number, got -inf$"):
        arguments.check_number(owner, "x", -np.inf, arguments.NON_NEGATIVE)
    with pytest.raises(TypeError, match=r"^Owner: x must be a positive number, got array\(\[1.\]\) \(of type ndarray\)$"):
        arguments.check_number(owner, "x", np.array([1.0]), arguments.POSITIVE)
    with pytest.raises(TypeError, match=r"^Owner: x must be a positive number, got 1j \(of type complex\)$"):
        arguments.check_number(owner, "x", 1j, arguments.POSITIVE)

    def kaiming():
        pass

    with pytest.raises(ValueError, match=r"^kaiming: x must be a number in \[0, 1\), got 1$"):
        arguments.check_number(kaiming, "x", 1, arguments.FRACTION)
