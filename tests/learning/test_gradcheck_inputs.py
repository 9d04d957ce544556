"""What gradcheck refuses up front, and what it simply handles: each with a message that names the problem."""
import numpy as np
import pytest

from tinynet import nn
from tinynet.gradcheck import check_function, check_layer, check_loss, numerical_gradient
from tinynet.testing import randomize_parameters

RNG = np.random.default_rng(5)


def linear():
    return randomize_parameters(nn.Linear(4, 3).double(), 0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_input_is_refused_not_blamed_on_the_layer(bad):
    x = RNG.normal(size=(5, 4))
    x[2, 1] = bad
    with pytest.raises(ValueError, match=rf"check_layer: x holds 1 NaN or inf value \(the first is x\[2, 1\] = "
                                         rf"{bad}\): finite differences around a value that is not finite"):
        check_layer(linear(), x)


def test_a_non_finite_parameter_is_refused_by_name():
    layer = linear()
    layer.bias.data[1] = np.nan
    with pytest.raises(ValueError, match=r"bias holds 1 NaN or inf value \(the first is bias\[1\] = nan\)"):
        check_layer(layer, RNG.normal(size=(5, 4)))


def test_non_finite_inputs_of_a_loss_or_a_function_are_refused():
    with pytest.raises(ValueError, match="check_loss: input holds 1 NaN"):
        check_loss(nn.CrossEntropyLoss(), np.array([[0.0, np.inf]]), np.array([0]))
    with pytest.raises(ValueError, match="check_function: x holds 2 NaN or inf values"):
        check_function(np.sum, np.ones_like, np.array([np.nan, 1.0, np.nan]))


def test_an_empty_batch_is_refused_as_empty():
    with pytest.raises(ValueError, match=r"check_layer: the batch is empty \(x has shape \(0, 4\), 0 rows\)") as error:
        check_layer(linear(), np.zeros((0, 4)))
    assert "contiguous" not in str(error.value)
    with pytest.raises(ValueError, match=r"check_loss: the batch is empty"):
        check_loss(nn.CrossEntropyLoss(), np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"check_layer: x has no entries \(shape \(3, 0\)\)"):
        check_layer(nn.ReLU(), np.zeros((3, 0)))


@pytest.mark.parametrize("layout", ["fortran", "strided", "transposed"])
def test_any_memory_layout_simply_works(layout):
    base = RNG.normal(size=(5, 8))
    x = {"fortran": np.asfortranarray(base[:, :4]), "strided": base[:, ::2], "transposed": base[:4].T[:, :4]}[layout]
    assert not x.flags.c_contiguous
    layer = linear()
    result = check_layer(layer, x)
    assert result.ok, str(result)
    assert result.details["x"].numeric.shape == x.shape


def test_a_non_contiguous_parameter_is_perturbed_in_place():
    layer = linear()
    layer.weight.data = np.asfortranarray(layer.weight.data)
    assert not layer.weight.data.flags.c_contiguous
    before = layer.weight.data.copy()
    assert check_layer(layer, RNG.normal(size=(5, 4))).ok
    np.testing.assert_array_equal(layer.weight.data, before)


def test_check_function_perturbs_a_non_contiguous_x_in_place_and_restores_it():
    w = RNG.normal(size=(4, 6))[:, ::2]
    before = w.copy()
    assert check_function(lambda v: np.sum(v ** 3), lambda v: 3 * v ** 2, w).ok
    np.testing.assert_array_equal(w, before)


def test_numerical_gradient_of_an_empty_or_read_only_array():
    assert numerical_gradient(lambda: np.zeros(2), np.zeros(0), np.ones(2)).shape == (0,)
    frozen = np.ones(3)
    frozen.setflags(write=False)
    with pytest.raises(ValueError, match="read-only: pass a writable copy"):
        numerical_gradient(lambda: frozen * 2, frozen, np.ones(3))


def test_inputs_that_are_not_numbers_are_refused():
    with pytest.raises(TypeError, match="x must be an array of real numbers, got dtype <U1"):
        check_layer(nn.ReLU(), np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="x must be an array of real numbers, got dtype complex128"):
        check_layer(nn.ReLU(), np.ones((2, 2), dtype=complex))
    with pytest.raises(ValueError, match="x must be an array of numbers"):
        check_layer(nn.ReLU(), [[1.0, 2.0], [3.0]])


def test_integer_and_list_inputs_are_copied_to_float64():
    result = check_layer(nn.Tanh(), [[1, -2, 3], [2, 1, -1]])
    assert result.ok and result.details["x"].numeric.dtype == np.float64
