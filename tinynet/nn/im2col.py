r"""im2col and col2im: sliding windows as the columns of a matrix, and back.

A convolution or a pooling layer looks at every kh x kw window of a padded
image. ``im2col`` copies each window into a column, so that the layer's
work over all windows becomes one matrix operation (a matrix product for
Conv2d, a max or a mean down the columns for pooling).

Shapes (N images, C channels, H x W pixels; padding ph, pw; stride sh, sw)
    x:    (N, C, H, W)
    cols: (N, C*kh*kw, Ho*Wo)     Ho = (H + 2 ph - kh) // sh + 1
                                  Wo = (W + 2 pw - kw) // sw + 1
    cols[n, (c, i, j), (p, q)] = xp[n, c, p*sh + i, q*sw + j]
where xp is x padded with ph rows and pw columns of ``pad_value`` on each
side, the row index (c, i, j) is c*kh*kw + i*kw + j (channel, then the
kernel offset, row-major: the order of a (C, kh, kw) weight flattened) and
the column index (p, q) is p*Wo + q (the output position, row-major).

A worked example: one 3 x 3 image, 2 x 2 windows, stride 1, no padding::

    x[0, 0] = [[1, 2, 3],        cols[0] = [[1, 2, 4, 5],    offset (0, 0)
               [4, 5, 6],                   [2, 3, 5, 6],    offset (0, 1)
               [7, 8, 9]]                   [4, 5, 7, 8],    offset (1, 0)
                                            [5, 6, 8, 9]]    offset (1, 1)
                                   window:  (0,0) (0,1) (1,0) (1,1)

Each column is one window read row by row: the window at (0, 1) is
[[2, 3], [5, 6]]. Pixel 5 sits in all four windows, so it appears four times.

col2im goes the other way, for gradients: every entry of cols is a copy of
one pixel, so the gradient of a pixel is the SUM of the gradients of all its
copies -- col2im adds each column back onto the window it came from, and
drops the padding. With cols all ones it counts the windows covering each
pixel::

    col2im(ones(1, 4, 4), (1, 1, 3, 3), (2, 2))[0, 0] = [[1, 2, 1],
                                                         [2, 4, 2],
                                                         [1, 2, 1]]

In linear-algebra terms im2col is a linear map and col2im its transpose:
<im2col(x), c> = <x, col2im(c)> for every x and c (zero padding).

How the work is done (docs/performance.md, "Convolution", has the figures):
im2col builds a read-only *view* of all windows (no copy) with NumPy's
``sliding_window_view`` and copies it once into the column layout; col2im
loops over the kh*kw kernel offsets and adds, for each, one strided slice
of all images at once (the windows at one offset never overlap each other,
so a plain ``+=`` on the slice is exact). ``add_window_entries`` is that
loop with the columns given one kernel offset at a time, so that a layer
whose columns are mostly zeros (MaxPool2d's gradient) never builds them all.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_size(image_size, kernel_size, stride=(1, 1), padding=(0, 0)):
    """(Ho, Wo): how many windows fit down and across the padded image.

    Every size is a pair (height, width); the kernel must fit in the padded
    image (layers check that first, with a clear error).
    """
    return tuple((size + 2 * pad - kernel) // step + 1
                 for size, kernel, step, pad in zip(image_size, kernel_size, stride, padding))


def pad(x, padding, value=0.0):
    """x (N, C, H, W) with ``padding`` = (ph, pw) rows and columns of ``value`` on each side."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    N, C, H, W = x.shape
    padded = np.full((N, C, H + 2 * ph, W + 2 * pw), value, dtype=x.dtype)
    padded[:, :, ph:ph + H, pw:pw + W] = x
    return padded


def im2col(x, kernel_size, stride=(1, 1), padding=(0, 0), pad_value=0.0):
    """Every kh x kw window of x (N, C, H, W) as a column: (N, C*kh*kw, Ho*Wo).

    A new array, except when nothing moves (a 1x1 kernel, stride 1, no
    padding): then a read-only view of x.
    """
    N, C, H, W = x.shape
    kh, kw = kernel_size
    sh, sw = stride
    Ho, Wo = output_size((H, W), kernel_size, stride, padding)
    xp = pad(x, padding, pad_value)
    # windows[n, c, p, q, i, j] = xp[n, c, p*sh + i, q*sw + j]: a view, nothing copied yet
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    # Put (c, i, j) before (p, q); the reshape makes the one copy.
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, Ho * Wo)


def col2im(cols, x_shape, kernel_size, stride=(1, 1), padding=(0, 0)):
    """The transpose of im2col: add every column back onto its window.

    cols: (N, C*kh*kw, Ho*Wo) in im2col's layout (any array that reshapes to
    (N, C, kh, kw, Ho, Wo) will do); returns an array of ``x_shape``
    (N, C, H, W) in which each pixel holds the sum of its copies.
    """
    N, C = x_shape[:2]
    kh, kw = kernel_size
    Ho, Wo = output_size(x_shape[2:], kernel_size, stride, padding)
    cols = cols.reshape(N, C, kh, kw, Ho, Wo)
    return add_window_entries(lambda i, j: cols[:, :, i, j], x_shape, cols.dtype, kernel_size,
                              stride, padding)


def add_window_entries(entry, x_shape, dtype, kernel_size, stride=(1, 1), padding=(0, 0)):
    """col2im, with the columns given one kernel offset at a time.

    ``entry(i, j)`` is the (N, C, Ho, Wo) array of entry (i, j) of every
    window: cols[:, (c, i, j), :] for every c, i.e. pixel (p*sh + i,
    q*sw + j) of window (p, q). Each is added onto the pixels it is a copy
    of; returns the ``x_shape`` (N, C, H, W) array of ``dtype`` in which each
    pixel holds the sum of its copies.
    """
    N, C, H, W = x_shape
    kh, kw = kernel_size
    sh, sw = stride
    ph, pw = padding
    Ho, Wo = output_size((H, W), kernel_size, stride, padding)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=dtype)
    overlap = sh < kh or sw < kw
    for i in range(kh):
        for j in range(kw):
            # Offset (i, j) of every window is pixel (p*sh + i, q*sw + j): rows i, i + sh, ...
            copies = xp[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw]
            if overlap:
                copies += entry(i, j)
            else:   # one copy per pixel at most: writing is adding to 0, and adding
                copies[...] = entry(i, j)   # costs 6-8 % more per CNN step (docs/performance.md)
    return xp[:, :, ph:ph + H, pw:pw + W]
