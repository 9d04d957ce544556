"""Checks for batches of images (N, C, H, W), shared by Conv2d, the pooling layers and BatchNorm2d."""
import numpy as np


def check_images(layer, x, channels=None, dtype=None):
    """x must be an (N, C, H, W) array with C, H, W >= 1.

    ``channels``: the C the layer was built for. ``dtype``: the layer's
    parameters' dtype, which the input must have (as for Linear); without
    it any floating-point dtype is accepted.
    """
    name = type(layer).__name__
    shape = getattr(x, "shape", type(x).__name__)
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        hint = {2: " (flat vectors? reshape them into images first, e.g. x.reshape(-1, 1, 28, 28) for MNIST)",
                3: " (one image? add the batch axis: x[None])"}.get(getattr(x, "ndim", None), "")
        raise ValueError(f"{name} expects a batch of images of shape (N, C, H, W), got {shape}{hint}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} expects images with {channels} channel(s), of shape (N, {channels}, H, W), "
                         f"got {shape}")
    if min(x.shape[1:]) < 1:
        raise ValueError(f"{name} expects images with at least one channel, row and column, got {shape}")
    if dtype is not None:
        layer._check_dtype(x, dtype)
    elif x.dtype.kind != "f":
        raise TypeError(f"{name} expects floating-point images, got {x.dtype}; convert them "
                        "(x.astype(np.float32))")


def check_window_fits(layer, x, kernel_size, padding):
    """The kernel must fit in the padded image: at least one window."""
    H, W = x.shape[2:]
    (kh, kw), (ph, pw) = kernel_size, padding
    if H + 2 * ph < kh or W + 2 * pw < kw:
        raise ValueError(f"{type(layer).__name__}: the {kh}x{kw} kernel does not fit in the {H}x{W} input "
                         f"padded by {ph} row(s) and {pw} column(s) on each side ({H + 2 * ph}x{W + 2 * pw}); "
                         "use larger images, more padding or a smaller kernel_size")
