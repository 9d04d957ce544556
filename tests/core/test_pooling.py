"""MaxPool2d and AvgPool2d: PyTorch parity (ties, NaN and -inf included), finite differences, errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinynet import nn
from tinynet.testing import assert_layer_gradients, assert_matches_torch, float_arrays

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")

# (kernel_size, stride, padding, input shape)
CONFIGS = [
    (2, None, 0, (2, 3, 6, 6)),
    ((2, 3), 2, 1, (2, 2, 7, 8)),            # non-square kernel, stride 2, padding 1
    (3, 1, 1, (1, 2, 5, 5)),                 # batch 1, overlapping windows
    (3, 2, 0, (2, 1, 7, 6)),                 # the last column is never read
    ((3, 2), (1, 2), (1, 1), (1, 1, 6, 5)),
    (2, None, 0, (2, 30, 24, 24)),           # the CNN's pooling
]


def twin_of(layer):
    cls = torch.nn.MaxPool2d if isinstance(layer, nn.MaxPool2d) else torch.nn.AvgPool2d
    return cls(layer.kernel_size, layer.stride, layer.padding)


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
@pytest.mark.parametrize("kernel, stride, padding, shape", CONFIGS)
def test_matches_pytorch(pool, kernel, stride, padding, shape):
    layer = pool(kernel, stride, padding)
    x = np.random.default_rng(0).normal(size=shape)
    assert_matches_torch(layer, twin_of(layer), x)


def torch_output_and_grad(layer, x, dout):
    xt = torch.tensor(x, requires_grad=True)
    out = twin_of(layer)(xt)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy()


def assert_same_as_torch(layer, x):
    """Output and dx equal bit for bit (NaN where torch has NaN): the same entry won every window.
    dout holds whole numbers, so that sums over overlapping windows are exact in any order."""
    out, cache = layer.forward(x)
    dout = np.random.default_rng(1).integers(1, 1000, size=out.shape).astype(np.float64)
    dx = layer.backward(dout, cache)
    out_torch, dx_torch = torch_output_and_grad(layer, x, dout)
    np.testing.assert_array_equal(out, out_torch)
    np.testing.assert_array_equal(dx, dx_torch)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), (2, 1, 1), ((2, 3), (1, 2), (1, 1))])
def test_max_ties_go_to_the_first_maximum_as_in_pytorch(kernel, stride, padding):
    """Values from {0, 1, 2}: most windows hold their maximum twice or more. PyTorch routes the
    gradient to the first maximum in reading order (row by row); so must we."""
    x = np.random.default_rng(2).integers(0, 3, size=(2, 3, 7, 6)).astype(np.float64)
    assert_same_as_torch(nn.MaxPool2d(kernel, stride, padding), x)


def test_max_of_a_constant_image_routes_every_gradient_to_the_window_corner():
    layer = nn.MaxPool2d(2)
    out, cache = layer.forward(np.ones((1, 1, 4, 4)))
    dx = layer.backward(np.ones((1, 1, 2, 2)), cache)
    assert dx[0, 0].tolist() == [[1, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1)])
def test_max_with_nan_outputs_nan_and_routes_the_gradient_as_pytorch(kernel, stride, padding):
    """A NaN wins its window (the last NaN when there are several, as in PyTorch's CPU kernel)."""
    x = np.random.default_rng(3).normal(size=(2, 2, 6, 6))
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = x[0, 1, 3, 2] = x[1, 1, 5, 5] = np.nan
    assert_same_as_torch(nn.MaxPool2d(kernel, stride, padding), x)


def test_max_of_minus_infinity_routes_the_gradient_inside_the_image_as_pytorch():
    """-inf values never beat the -inf padding, yet the gradient must reach the image."""
    x = np.full((1, 2, 3, 4), -np.inf)
    x[0, 1, 2, 3] = 1.0
    for padding in [(1, 1), (1, 0), (0, 1)]:
        assert_same_as_torch(nn.MaxPool2d(2, 2, padding), x)
        assert_same_as_torch(nn.MaxPool2d(3, 1, padding), x)


@st.composite
def images_without_ties(draw, shape):
    """Distinct values 0.1 apart: a finite-difference step never changes a window's winner."""
    order = draw(st.permutations(range(int(np.prod(shape)))))
    return 0.1 * np.array(order, dtype=np.float64).reshape(shape) - 0.05 * np.prod(shape)


@st.composite
def pooling_geometries(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)),
             draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 5)),
             draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 5)))
    return kernel, stride, padding, shape


@settings(max_examples=40)
@given(st.data(), pooling_geometries(), st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]))
def test_gradients_match_finite_differences(data, geometry, pool):
    kernel, stride, padding, shape = geometry
    x = data.draw(images_without_ties(shape) if pool is nn.MaxPool2d else float_arrays(shape))
    result = assert_layer_gradients(pool(kernel, stride, padding), x)
    assert not result.warnings, str(result)


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
def test_float32_stays_float32_and_float64_is_accepted(pool):
    for dtype in (np.float32, np.float64):
        layer = pool(3, 2, 1)
        x = np.random.default_rng(0).normal(size=(2, 3, 7, 7)).astype(dtype)
        out, cache = layer.forward(x)
        dx = layer.backward(np.ones_like(out), cache)
        assert out.dtype == dx.dtype == dtype and dx.shape == x.shape


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
def test_stride_defaults_to_the_kernel_size(pool):
    layer = pool((2, 3))
    assert layer.stride == (2, 3)
    assert repr(layer) == f"{pool.__name__}(kernel_size=(2, 3), stride=(2, 3), padding=(0, 0))"
    out, _ = layer.forward(np.zeros((1, 1, 6, 9)))
    assert out.shape == (1, 1, 3, 3)


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
@pytest.mark.parametrize("make, error, message", [
    (lambda pool: pool(2, padding=2), ValueError,
     r"padding must be at most half of kernel_size, got padding=\(2, 2\) and kernel_size=\(2, 2\) "
     r"\(a window could hold padding only\)"),
    (lambda pool: pool((3, 2), padding=(1, 2)), ValueError, "padding must be at most half of kernel_size"),
    (lambda pool: pool(0), ValueError, "kernel_size must be a positive integer or a pair"),
    (lambda pool: pool(2, stride=0), ValueError, "stride must be a positive integer or a pair"),
    (lambda pool: pool(2, padding=-1), ValueError, "padding must be a non-negative integer or a pair"),
    (lambda pool: pool(2.5), TypeError, "kernel_size must be a positive integer or a pair"),
])
def test_impossible_sizes_are_refused_at_construction(pool, make, error, message):
    with pytest.raises(error, match=f"{pool.__name__}: {message}"):
        make(pool)


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
@pytest.mark.parametrize("x, error, message", [
    (np.zeros((2, 1, 2, 5)), ValueError, r"the 3x3 kernel does not fit in the 2x5 input padded by 0 row\(s\)"),
    (np.zeros((1, 5, 5)), ValueError, r"got \(1, 5, 5\) \(one image\? add the batch axis: x\[None\]\)"),
    (np.zeros((2, 1, 5, 5), np.int64), TypeError, r"expects floating-point images, got int64"),
])
def test_impossible_inputs_are_refused_with_a_clear_error(pool, x, error, message):
    with pytest.raises(error, match=message):
        pool(3).forward(x)
