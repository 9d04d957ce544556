"""Reading an image at fractional positions, step for step as torchvision's rotate.

``source_coordinates`` says where each output pixel of a rotation is read
from; ``sample_nearest`` and ``sample_bilinear`` read it there. Every step is
one step of ``torchvision.transforms.functional.rotate`` on tensors (the
inverse affine matrix, the [-1, 1] sampling grid and ``grid_sample(...,
align_corners=False)``), in the same float32 arithmetic, so nearest-neighbour
results are bit-identical to torchvision's. Bilinear results are too wherever
PyTorch runs its AVX2/AVX-512 kernels (which fuse multiply-adds); elsewhere
they may differ by one grey level in a few pixels.
"""
import math

import numpy as np


def source_coordinates(angles, height, width):
    """Where each output pixel is read from, in input pixel coordinates.

    For angles of shape (K,) returns x (column) and y (row) arrays of shape
    (K, height, width), float32. A rotation is computed backwards: for each
    output pixel we ask which input position lands there, i.e. we apply the
    *inverse* rotation to the output pixel centres.

    Every step below is one step of torchvision (``_get_inverse_affine_matrix``,
    ``_gen_affine_grid``, then ``grid_sample``'s un-normalisation) in the same
    float32 order of operations, so the rounding errors are the same too.
    """
    # Output pixel centres relative to the image centre: -13.5 ... 13.5 for 28.
    xs = np.arange(width, dtype=np.float32) - np.float32((width - 1) / 2)
    ys = np.arange(height, dtype=np.float32) - np.float32((height - 1) / 2)
    xs = xs[np.newaxis, np.newaxis, :]  # (1, 1, W)
    ys = ys[np.newaxis, :, np.newaxis]  # (1, H, 1)

    # The matrix taking an output position back to its source position.
    # torchvision builds it with _get_inverse_affine_matrix(..., -angle, ...);
    # for a pure rotation that is [[cos r, sin r], [-sin r, cos r]] with
    # r = -angle in radians. (The y axis points down the image, so this turns
    # the picture counter-clockwise for positive angles.) Like torchvision we
    # use Python's math module, in double precision, then round to float32.
    radians = [math.radians(-float(angle)) for angle in angles]
    cos = np.array([math.cos(r) for r in radians], dtype=np.float32)[:, None, None]
    sin = np.array([math.sin(r) for r in radians], dtype=np.float32)[:, None, None]

    # torchvision maps positions to [-1, 1] by dividing by half the size ...
    half_w = np.float32(width / 2)
    half_h = np.float32(height / 2)
    grid_x = xs * (cos / half_w) + ys * (sin / half_w)
    grid_y = xs * (-sin / half_h) + ys * (cos / half_h)

    # ... and grid_sample (align_corners=False) maps them back to pixel
    # indices: index = (g + 1) * size / 2 - 0.5, where -0.5 and size - 0.5
    # are the outer edges of the first and last pixels.
    x = _fused_multiply_add(grid_x + np.float32(1), half_w, np.float32(-0.5))
    y = _fused_multiply_add(grid_y + np.float32(1), half_h, np.float32(-0.5))
    return x, y


def sample_nearest(batch, x, y, fill):
    """batch[n] read at the pixel nearest to (y, x); ``fill`` outside the image."""
    # np.rint rounds halves to even, as grid_sample's nearest mode does.
    values, inside = _read_pixels(batch, np.rint(y).astype(np.intp), np.rint(x).astype(np.intp))
    return np.where(inside, values, 0 if fill is None else fill)


def sample_bilinear(batch, x, y, fill):
    """batch[n] at (y, x), interpolated between the four surrounding pixels."""
    x0 = np.floor(x)
    y0 = np.floor(y)
    # Distances from the top-left neighbour, and the four neighbours' weights.
    dx = x - x0
    dy = y - y0
    weights = [(np.float32(1) - dy) * (np.float32(1) - dx),  # top-left
               (np.float32(1) - dy) * dx,                    # top-right
               dy * (np.float32(1) - dx),                    # bottom-left
               dy * dx]                                      # bottom-right
    row, col = y0.astype(np.intp), x0.astype(np.intp)
    corners = [(row, col), (row, col + 1), (row + 1, col), (row + 1, col + 1)]

    work_dtype = np.float64 if batch.dtype == np.float64 else np.float32
    values, insides = [], []
    for corner_row, corner_col in corners:
        corner_values, inside = _read_pixels(batch, corner_row, corner_col)
        values.append(corner_values.astype(work_dtype))
        insides.append(inside.astype(work_dtype))

    out = _weighted_sum(values, weights)
    if fill is None:
        return out
    # torchvision also interpolates an all-ones image: where a pixel's
    # neighbours lie partly outside, it blends towards the fill value.
    coverage = _weighted_sum(insides, weights)
    return out * coverage + (1 - coverage) * work_dtype(fill)


def _weighted_sum(values, weights):
    """sum(v * w) over the four corners, rounded like grid_sample's CPU kernel.

    PyTorch's AVX2/AVX-512 kernel fuses each "+ v * w" into one multiply-add
    with a single rounding; doing the same keeps our result equal to its
    result. (Its plain kernel rounds twice, so there the last bit may differ.)
    """
    total = values[0] * weights[0]
    for value, weight in zip(values[1:], weights[1:]):
        total = _fused_multiply_add(value, weight, total)
    return total


def _fused_multiply_add(a, b, c):
    """a * b + c rounded once, like the CPU's fused multiply-add instruction.

    For float32 inputs, float64 holds a * b exactly, so computing in float64
    and rounding once to float32 gives the fused result (bar astronomically
    rare double-rounding ties). float64 inputs are simply computed in float64.
    """
    result_dtype = np.result_type(a, b, c)
    return (np.asarray(a, dtype=np.float64) * b + c).astype(result_dtype)


def _read_pixels(batch, rows, cols):
    """batch[n, rows, cols] for every image n, and a mask of positions inside.

    rows, cols: integer arrays of shape (N or 1, H, W). Positions outside the
    image read as 0 and are False in the mask.
    """
    n_images, height, width = batch.shape
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    image_index = np.arange(n_images).reshape(-1, 1, 1)
    values = batch[image_index, np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)]
    inside = np.broadcast_to(inside, values.shape)
    return np.where(inside, values, 0), inside
