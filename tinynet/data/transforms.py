"""Image augmentation in NumPy, matching torchvision's tensor transforms.

Every function takes one image of shape (H, W) or a batch of shape
(N, H, W), ``uint8`` or floating, and returns the same shape and dtype.
The ``random_*`` functions draw one random parameter per image, so a whole
training set can be augmented in one call.

Rotation follows ``torchvision.transforms.functional.rotate`` on tensors
step by step (the inverse affine matrix, the [-1, 1] sampling grid and
``grid_sample(..., align_corners=False)``), in the same float32 arithmetic,
so nearest-neighbour results are bit-identical to torchvision's. Bilinear
results are too wherever PyTorch runs its AVX2/AVX-512 kernels (which fuse
multiply-adds); elsewhere they may differ by one grey level in a few pixels.
"""
import math
import numbers

import numpy as np

from ..random import generator as global_generator

_INTERPOLATIONS = ("nearest", "bilinear")


# ---------------------------------------------------------------- rotation

def rotate(images, angle, interpolation="nearest", fill=0):
    """Rotate counter-clockwise by ``angle`` degrees about the image centre.

    Same result as ``torchvision.transforms.functional.rotate(img, angle,
    interpolation=InterpolationMode.NEAREST or BILINEAR, fill=fill)`` on a
    tensor (``transforms.RandomRotation`` does this, with NEAREST by default).

    Parameters
    ----------
    images : (H, W) or (N, H, W) array, uint8 or floating
    angle : float, degrees; positive turns the picture counter-clockwise.
    interpolation : "nearest" or "bilinear"
    fill : number or None
        Value of output pixels whose source lies outside the image. ``None``
        is torchvision's ``fill=None``: outside counts as 0 and, for
        bilinear, border pixels are not blended with the fill value.

    Returns
    -------
    Array of the same shape and dtype as ``images``.
    """
    _check_number(angle, "angle")
    batch, single = _as_batch(images)
    out = _rotate_batch(batch, np.array([float(angle)]), interpolation, fill)
    return out[0] if single else out


def random_rotation(images, degrees, generator=None, interpolation="nearest", fill=0):
    """Rotate every image by its own angle, uniform in [-degrees, degrees].

    Like ``transforms.RandomRotation(degrees)`` applied to each image.
    ``degrees`` may also be a pair (low, high). Returns the same shape and dtype.
    """
    low, high = _degree_range(degrees)
    rng = generator if generator is not None else global_generator()
    batch, single = _as_batch(images)
    angles = rng.uniform(low, high, size=len(batch))
    out = _rotate_batch(batch, angles, interpolation, fill)
    return out[0] if single else out


def augment_with_rotations(images, labels, angles=(-15, -30, 15, 30),
                           interpolation="nearest", fill=0):
    """The originals followed by one rotated copy of all of them per angle.

    With 300 images and the default four angles this gives 1,500 images:
    the 300 originals, then all 300 rotated by angles[0], then by angles[1], ...

    Returns
    -------
    images : (N * (1 + len(angles)), H, W), same dtype as the input
    labels : (N * (1 + len(angles)),), the input labels repeated in the same order
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"expected images (N, H, W) and labels (N,), got shapes "
                         f"{images.shape} and {labels.shape}")
    rotated = [rotate(images, angle, interpolation, fill) for angle in angles]
    all_images = np.concatenate([images] + rotated)
    all_labels = np.concatenate([labels] * (1 + len(angles)))
    return all_images, all_labels


def _rotate_batch(batch, angles, interpolation, fill):
    """Rotate batch[i] by angles[i] (or all by angles[0] if there is one angle)."""
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
    if fill is not None:
        _check_fill(fill, batch.dtype)
    x, y = _source_coordinates(angles, *batch.shape[1:])
    if interpolation == "nearest":
        out = _sample_nearest(batch, x, y, fill)
    else:
        out = _sample_bilinear(batch, x, y, fill)
    return _to_dtype(out, batch.dtype)


def _source_coordinates(angles, height, width):
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


def _sample_nearest(batch, x, y, fill):
    """batch[n] read at the pixel nearest to (y, x); ``fill`` outside the image."""
    # np.rint rounds halves to even, as grid_sample's nearest mode does.
    values, inside = _read_pixels(batch, np.rint(y).astype(np.intp), np.rint(x).astype(np.intp))
    return np.where(inside, values, 0 if fill is None else fill)


def _sample_bilinear(batch, x, y, fill):
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


# ------------------------------------------------- translation, crop, flip

def translate(images, dx, dy, fill=0):
    """Shift by whole pixels: ``dx`` to the right, ``dy`` down; ``fill`` fills the gap.

    Same as ``torchvision.transforms.functional.affine(img, angle=0,
    translate=[dx, dy], scale=1, shear=0)``.
    """
    batch, single = _as_batch(images)
    _check_int(dx, "dx")
    _check_int(dy, "dy")
    out = _shift_each(batch, np.array([dx]), np.array([dy]), fill)
    return out[0] if single else out


def random_translation(images, max_shift, generator=None, fill=0):
    """Shift every image by its own whole-pixel (dx, dy).

    dx and dy are drawn independently and uniformly from the integers
    -max_shift..max_shift. Returns the same shape and dtype.
    """
    _check_int(max_shift, "max_shift", minimum=0)
    rng = generator if generator is not None else global_generator()
    batch, single = _as_batch(images)
    dx = rng.integers(-max_shift, max_shift, endpoint=True, size=len(batch))
    dy = rng.integers(-max_shift, max_shift, endpoint=True, size=len(batch))
    out = _shift_each(batch, dx, dy, fill)
    return out[0] if single else out


def pad(images, padding, fill=0):
    """Add ``padding`` pixels of value ``fill`` on all four sides: (H, W) -> (H+2p, W+2p)."""
    images = _check_images(images)
    _check_int(padding, "padding", minimum=0)
    _check_fill(fill, images.dtype)
    widths = [(0, 0)] * (images.ndim - 2) + [(padding, padding), (padding, padding)]
    return np.pad(images, widths, constant_values=fill)


def crop(images, top, left, height, width):
    """The window rows top..top+height-1, columns left..left+width-1 (a copy).

    Like ``torchvision.transforms.functional.crop``, except that the window
    must lie inside the image (torchvision would pad).
    """
    images = _check_images(images)
    for value, name in ((top, "top"), (left, "left")):
        _check_int(value, name, minimum=0)
    for value, name in ((height, "height"), (width, "width")):
        _check_int(value, name, minimum=1)
    image_height, image_width = images.shape[-2:]
    if top + height > image_height or left + width > image_width:
        raise ValueError(f"crop window rows {top}..{top + height - 1}, columns "
                         f"{left}..{left + width - 1} does not fit in a "
                         f"{image_height}x{image_width} image")
    return images[..., top:top + height, left:left + width].copy()


def random_crop(images, size, padding=0, generator=None, fill=0):
    """Pad, then cut a ``size`` window at a random place, chosen per image.

    Like ``transforms.RandomCrop(size, padding=padding)``: every top-left
    corner that keeps the window inside the padded image is equally likely.
    ``size`` is an int (square) or a pair (height, width).
    """
    height, width = (size, size) if isinstance(size, numbers.Integral) else size
    _check_int(height, "size", minimum=1)
    _check_int(width, "size", minimum=1)
    rng = generator if generator is not None else global_generator()
    batch, single = _as_batch(images)
    padded = pad(batch, padding, fill)
    free_rows = padded.shape[1] - height
    free_cols = padded.shape[2] - width
    if free_rows < 0 or free_cols < 0:
        raise ValueError(f"crop size {height}x{width} is larger than the padded image "
                         f"{padded.shape[1]}x{padded.shape[2]}")
    tops = rng.integers(0, free_rows, endpoint=True, size=len(batch))
    lefts = rng.integers(0, free_cols, endpoint=True, size=len(batch))
    out = _crop_each(padded, tops, lefts, height, width)
    return out[0] if single else out


def hflip(images):
    """Mirror left-right (a copy), like ``torchvision.transforms.functional.hflip``."""
    return _check_images(images)[..., ::-1].copy()


def _shift_each(batch, dx, dy, fill):
    """Shift batch[i] by (dx[i], dy[i]) pixels (or all by one shift).

    Pad by the largest shift, then cut the original size back out: the
    window starts ``shift`` pixels before the original image.
    """
    margin = int(max(np.abs(dx).max(), np.abs(dy).max()))
    padded = pad(batch, margin, fill)
    tops = np.broadcast_to(margin - dy, len(batch))
    lefts = np.broadcast_to(margin - dx, len(batch))
    return _crop_each(padded, tops, lefts, *batch.shape[1:])


def _crop_each(batch, tops, lefts, height, width):
    """For each image i, the window starting at (tops[i], lefts[i]): (N, height, width)."""
    rows = tops[:, None] + np.arange(height)  # (N, height)
    cols = lefts[:, None] + np.arange(width)  # (N, width)
    image_index = np.arange(len(batch))[:, None, None]
    return batch[image_index, rows[:, :, None], cols[:, None, :]]


# ----------------------------------------------------------------- helpers

def _check_images(images):
    images = np.asarray(images)
    if images.ndim not in (2, 3):
        raise ValueError(f"expected an image (H, W) or a batch (N, H, W), "
                         f"got shape {images.shape}")
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise TypeError(f"images must be uint8 or floating, got {images.dtype}")
    return images


def _as_batch(images):
    """(N, H, W) view of ``images``, and whether the input was a single (H, W) image."""
    images = _check_images(images)
    if images.ndim == 2:
        return images[np.newaxis], True
    return images, False


def _to_dtype(values, dtype):
    """Back to the input dtype; uint8 is rounded (halves to even) first, like torchvision."""
    if dtype == np.uint8 and np.issubdtype(values.dtype, np.floating):
        values = np.rint(values)
    return values.astype(dtype)


def _check_fill(fill, dtype):
    _check_number(fill, "fill")
    if dtype == np.uint8 and not 0 <= fill <= 255:
        raise ValueError(f"fill must lie in 0..255 for uint8 images, got {fill}")


def _check_number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")


def _check_int(value, name, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _degree_range(degrees):
    """(low, high) from ``degrees`` (meaning [-degrees, degrees]) or a pair."""
    if isinstance(degrees, numbers.Real):
        if degrees < 0:
            raise ValueError(f"degrees must be non-negative, got {degrees}")
        return -float(degrees), float(degrees)
    low, high = degrees
    if low > high:
        raise ValueError(f"degrees range must be (low, high) with low <= high, got {degrees}")
    return float(low), float(high)
