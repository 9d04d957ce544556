"""Image augmentation in NumPy, matching torchvision's tensor transforms.

Every function takes one image of shape (H, W) or a batch of shape
(N, H, W), ``uint8`` or floating, and returns the same shape and dtype.
The ``random_*`` functions draw one random parameter per image, so a whole
training set can be augmented in one call.

Rotation follows ``torchvision.transforms.functional.rotate`` on tensors
step by step (see ``sampling.py``): nearest-neighbour results are
bit-identical to torchvision's, bilinear ones too wherever PyTorch runs its
AVX2/AVX-512 kernels.
"""
import math
import numbers

import numpy as np

from ..arguments import Rule, check_number
from ..random import generator as global_generator
from .sampling import sample_bilinear, sample_nearest, source_coordinates

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
    ``degrees`` may also be a pair (low, high). Every bound must lie within a
    full turn, [-360, 360]: a wider range only repeats the same rotations,
    so it is refused as a likely mistake (at 1e300 degrees, the angle in
    double-precision radians is off by far more than a turn).
    Returns the same shape and dtype.
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
    x, y = source_coordinates(angles, *batch.shape[1:])
    if interpolation == "nearest":
        out = sample_nearest(batch, x, y, fill)
    else:
        out = sample_bilinear(batch, x, y, fill)
    return _to_dtype(out, batch.dtype)


# ------------------------------------------------- translation, crop, flip

def translate(images, dx, dy, fill=0):
    """Shift by whole pixels: ``dx`` to the right, ``dy`` down; ``fill`` fills the gap.

    Same as ``torchvision.transforms.functional.affine(img, angle=0,
    translate=[dx, dy], scale=1, shear=0)``. A shift by the image's size or
    more leaves only ``fill``.
    """
    batch, single = _as_batch(images)
    _check_int(dx, "dx")
    _check_int(dy, "dy")
    # Beyond the image's size every shift gives the same all-fill image:
    # clipping keeps the padding (and so the memory) no larger than the image.
    height, width = batch.shape[1:]
    dx, dy = max(-width, min(width, dx)), max(-height, min(height, dy))
    out = _shift_each(batch, np.array([dx]), np.array([dy]), fill)
    return out[0] if single else out


def random_translation(images, max_shift, generator=None, fill=0):
    """Shift every image by its own whole-pixel (dx, dy).

    dx and dy are drawn independently and uniformly from the integers
    -max_shift..max_shift. ``max_shift`` may not exceed the image's larger
    side: a larger shift moves a picture out entirely. Returns the same
    shape and dtype.
    """
    _check_int(max_shift, "max_shift", minimum=0)
    rng = generator if generator is not None else global_generator()
    batch, single = _as_batch(images)
    if max_shift > max(batch.shape[1:]):
        raise ValueError(f"random_translation: max_shift must be at most {max(batch.shape[1:])} "
                         f"for {batch.shape[1]}x{batch.shape[2]} images (a larger shift moves a "
                         f"picture out entirely), got {max_shift}")
    dx = rng.integers(-max_shift, max_shift, endpoint=True, size=len(batch))
    dy = rng.integers(-max_shift, max_shift, endpoint=True, size=len(batch))
    out = _shift_each(batch, dx, dy, fill)
    return out[0] if single else out


def pad(images, padding, fill=0):
    """Add ``padding`` pixels of value ``fill`` on all four sides: (H, W) -> (H+2p, W+2p)."""
    images = _check_images(images)
    _check_int(padding, "padding", minimum=0)
    _check_fill(fill, images.dtype)
    padded_bytes = (math.prod(images.shape[:-2]) * images.itemsize
                    * (images.shape[-2] + 2 * padding) * (images.shape[-1] + 2 * padding))
    if padded_bytes > np.iinfo(np.intp).max:
        raise ValueError(f"pad: padding={padding} would make {padded_bytes} bytes of images, "
                         "more than any array can hold")
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
    _check_int(padding, "padding", minimum=0)
    if padding >= min(height, width):
        raise ValueError(f"random_crop: padding must be less than the crop size {height}x{width}, "
                         f"got {padding}: a window could then hold no pixel of the image")
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
    """(low, high) from ``degrees`` (meaning [-degrees, degrees]) or a pair, within a full turn."""
    if not isinstance(degrees, (tuple, list)):
        bound = check_number(random_rotation, "degrees", degrees,
                             Rule("in [0, 360] (at most a full turn each way)",
                                  lambda value: 0 <= value <= 360))
        return -bound, bound
    if len(degrees) != 2:
        raise ValueError(f"random_rotation: degrees must be a number or a pair (low, high), "
                         f"got {degrees!r}")
    low, high = (check_number(random_rotation, f"degrees[{i}]", value,
                              Rule("in [-360, 360] (at most a full turn)",
                                   lambda v: -360 <= v <= 360)) for i, value in enumerate(degrees))
    if low > high:
        raise ValueError(f"random_rotation: degrees must be (low, high) with low <= high, "
                         f"got {degrees}")
    return low, high
