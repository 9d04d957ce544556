"""im2col and col2im on their own: the docstring's example, naive loops, and the adjoint identity."""
from itertools import product

import numpy as np
from hypothesis import given, settings, strategies as st

from tinynet.nn.im2col import col2im, im2col, output_size


@st.composite
def geometries(draw):
    """(x shape, kernel, stride, padding) with the kernel fitting the padded image; tiny sizes."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    H = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 6))
    W = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 6))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), H, W), kernel, stride, padding


def naive_im2col(x, kernel, stride, padding, pad_value=0.0):
    """cols[n, (c, i, j), (p, q)] = xp[n, c, p sh + i, q sw + j], one entry at a time."""
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.full((N, C, H + 2 * ph, W + 2 * pw), pad_value)
    xp[:, :, ph:ph + H, pw:pw + W] = x
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    cols = np.empty((N, C * kh * kw, Ho * Wo))
    for n, c, i, j, p, q in product(range(N), range(C), range(kh), range(kw), range(Ho), range(Wo)):
        cols[n, c * kh * kw + i * kw + j, p * Wo + q] = xp[n, c, p * sh + i, q * sw + j]
    return cols


def naive_col2im(cols, x_shape, kernel, stride, padding):
    """Every entry of cols added back onto the pixel it was copied from; padding dropped."""
    N, C, H, W = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for n, c, i, j, p, q in product(range(N), range(C), range(kh), range(kw), range(Ho), range(Wo)):
        xp[n, c, p * sh + i, q * sw + j] += cols[n, c * kh * kw + i * kw + j, p * Wo + q]
    return xp[:, :, ph:ph + H, pw:pw + W]


def test_the_docstrings_worked_example():
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    cols = im2col(x, (2, 2))
    assert cols.tolist() == [[[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]]
    counts = col2im(np.ones((1, 4, 4)), (1, 1, 3, 3), (2, 2))
    assert counts.tolist() == [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]


@settings(max_examples=40)
@given(geometries(), st.sampled_from([0.0, -np.inf]), st.integers(0, 2**32 - 1))
def test_im2col_matches_the_naive_loops(geometry, pad_value, seed):
    shape, kernel, stride, padding = geometry
    x = np.random.default_rng(seed).normal(size=shape)
    cols = im2col(x, kernel, stride, padding, pad_value)
    assert cols.shape == (shape[0], shape[1] * kernel[0] * kernel[1],
                          np.prod(output_size(shape[2:], kernel, stride, padding)))
    np.testing.assert_array_equal(cols, naive_im2col(x, kernel, stride, padding, pad_value))


@settings(max_examples=40)
@given(geometries(), st.integers(0, 2**32 - 1))
def test_col2im_matches_the_naive_loops(geometry, seed):
    shape, kernel, stride, padding = geometry
    Ho, Wo = output_size(shape[2:], kernel, stride, padding)
    cols = np.random.default_rng(seed).normal(size=(shape[0], shape[1] * kernel[0] * kernel[1], Ho * Wo))
    x = col2im(cols, shape, kernel, stride, padding)
    assert x.shape == shape
    np.testing.assert_allclose(x, naive_col2im(cols, shape, kernel, stride, padding), rtol=1e-14, atol=1e-14)


@settings(max_examples=40)
@given(geometries(), st.integers(0, 2**32 - 1))
def test_col2im_is_the_transpose_of_im2col(geometry, seed):
    """<im2col(x), c> = <x, col2im(c)>: what makes col2im the right backward for im2col."""
    shape, kernel, stride, padding = geometry
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    c = rng.normal(size=im2col(x, kernel, stride, padding).shape)
    left = np.sum(im2col(x, kernel, stride, padding) * c)
    right = np.sum(x * col2im(c, shape, kernel, stride, padding))
    assert abs(left - right) <= 1e-12 * max(1.0, np.sum(np.abs(x)) * np.abs(c).max())


def test_float32_stays_float32():
    x = np.ones((2, 3, 5, 5), np.float32)
    cols = im2col(x, (3, 3), (2, 2), (1, 1), pad_value=-np.inf)
    assert cols.dtype == np.float32
    assert col2im(cols, x.shape, (3, 3), (2, 2), (1, 1)).dtype == np.float32


def test_im2col_copies_unless_nothing_moves():
    """A copy, so that changing x later cannot change the columns a layer cached;
    a 1x1 kernel (stride 1, no padding) needs no copy and gets a read-only view."""
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    cols = im2col(x, (2, 2))
    assert not np.shares_memory(cols, x)
    view = im2col(x, (1, 1))
    np.testing.assert_array_equal(view, x.reshape(1, 2, 16))
    assert not view.flags.writeable
