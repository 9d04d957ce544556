"""The CNN's alternative designs: each puts back ONE alternative to a
design choice of tinynet's convolution and pooling code, to measure what
the choice is worth (docs/performance.md, "Convolution").

    maxpool_where    MaxPool2d's index of the maximum by ``np.where``, in the
                     default integer type (instead of ``np.maximum`` in uint8)
    maxpool_full_dx  MaxPool2d's backward builds the whole dX (as large as
                     im2col's columns), then col2im (instead of one window
                     entry at a time)
    maxpool_slices   MaxPool2d's forward reads each window entry as a strided
                     slice of the input (instead of a row of im2col's copy)
    col2im_add       col2im always adds, even when the windows do not overlap
    im2col_loop      im2col by a loop over the kh*kw kernel offsets (instead
                     of one copy of a sliding-window view)
    dw_tensordot     Conv2d's dW by ``np.tensordot``
    dw_one_gemm      Conv2d's dW by one product of two transposed copies
                     (instead of a product per image, summed over n)
    always_dx        the first Conv2d computes dx, which nobody needs
    conv_recompute   Conv2d caches its input, not its columns, and makes the
                     columns again in backward (less memory held, one more copy)
    float64          the model and the data in float64 (nothing replaced)

A design replaces code for the whole process (a function of a tinynet
module, or a layer class by a subclass), so each runs in a worker process
of its own, or its own valgrind run, never next to the real step. The
replacement reaches into tinynet's internals (the layers' caches and
helpers): :func:`install` refuses, by name, a design whose target is gone,
and :func:`check_called` one that a step never called, instead of silently
timing the unchanged step.
"""
import numpy as np

DESIGNS = {
    "maxpool_where": "MaxPool2d's index of the maximum by np.where, default integer",
    "maxpool_full_dx": "MaxPool2d's backward builds the whole dX, then col2im",
    "maxpool_slices": "MaxPool2d's forward scans strided slices of its input, no im2col copy",
    "col2im_add": "col2im adds even without overlap",
    "im2col_loop": "im2col by a loop over the kernel offsets",
    "dw_tensordot": "Conv2d's dW by np.tensordot",
    "dw_one_gemm": "Conv2d's dW by one product of transposed copies",
    "always_dx": "the first Conv2d computes dx",
    "conv_recompute": "Conv2d caches its input and makes the columns again in backward",
    "float64": "the model and the data in float64",
}
CALLS = []                          # one entry per call of a replacement


class DesignError(Exception):
    """A design cannot be applied to this checkout's tinynet."""


def dtype_of(design):
    return "float64" if design == "float64" else "float32"


def _replace_function(name, replacement):
    """``name`` in every tinynet.nn module that uses it, counting calls."""
    from tinynet.nn import conv, im2col, pooling
    owners = [module for module in (im2col, conv, pooling) if hasattr(module, name)]
    if not owners:
        raise DesignError(f"tinynet.nn has no {name} (experiments/benchmark/designs.py needs an update)")

    def counted(*args, **kwargs):
        CALLS.append(name)
        return replacement(*args, **kwargs)
    for module in owners:
        setattr(module, name, counted)


def _replace_layer(name, make_subclass):
    """tinynet.nn.<name> by the subclass ``make_subclass(original)``."""
    from tinynet import nn
    original = getattr(nn, name, None)
    if original is None:
        raise DesignError(f"tinynet.nn has no {name}")
    setattr(nn, name, make_subclass(original))


def _im2col_loop(x, kernel_size, stride=(1, 1), padding=(0, 0), pad_value=0.0):
    from tinynet.nn.im2col import output_size, pad
    N, C = x.shape[:2]
    (kh, kw), (sh, sw) = kernel_size, stride
    Ho, Wo = output_size(x.shape[2:], kernel_size, stride, padding)
    xp = pad(x, padding, pad_value)
    cols = np.empty((N, C, kh, kw, Ho, Wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw]
    return cols.reshape(N, C * kh * kw, Ho * Wo)


def _always_adding(entry, x_shape, dtype, kernel_size, stride=(1, 1), padding=(0, 0)):
    from tinynet.nn.im2col import output_size
    N, C, H, W = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    Ho, Wo = output_size((H, W), kernel_size, stride, padding)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw] += entry(i, j)
    return xp[:, :, ph:ph + H, pw:pw + W]


def _maxpool_where(MaxPool2d):
    class MaxPoolWhere(MaxPool2d):
        def forward(self, x):
            CALLS.append("maxpool_where")
            X, (Ho, Wo) = self._windows(x, pad_value=-np.inf)
            N, C, K, L = X.shape
            best = np.full((N, C, L), -np.inf, dtype=x.dtype)
            arg = self._first_inside(x.shape, index=np.intp)
            for k in range(K):
                entry = X[:, :, k]
                better = (entry > best) | np.isnan(entry)
                best = np.maximum(best, entry)
                arg = np.where(better, k, arg)
            return best.reshape(N, C, Ho, Wo), (x.shape, arg.reshape(N, C, Ho, Wo))
    return MaxPoolWhere


def _maxpool_full_dx(MaxPool2d):
    from tinynet.nn.im2col import col2im

    class MaxPoolFullDx(MaxPool2d):
        def backward(self, dout, cache):
            CALLS.append("maxpool_full_dx")
            x_shape, arg = cache
            N, C = arg.shape[:2]
            K = self.kernel_size[0] * self.kernel_size[1]
            won = arg.reshape(N, C, 1, -1) == np.arange(K)[:, None]     # (N, C, K, Ho Wo)
            dX = won * dout.reshape(N, C, 1, -1)
            return col2im(dX, x_shape, self.kernel_size, self.stride, self.padding)
    return MaxPoolFullDx


def _maxpool_slices(MaxPool2d):
    from tinynet.nn.im2col import output_size
    from tinynet.nn.images import check_images, check_window_fits

    class MaxPoolSlices(MaxPool2d):
        def forward(self, x):
            CALLS.append("maxpool_slices")
            if self.padding != (0, 0):
                raise DesignError("maxpool_slices: without padding only")
            check_images(self, x)
            check_window_fits(self, x, self.kernel_size, self.padding)
            (kh, kw), (sh, sw) = self.kernel_size, self.stride
            Ho, Wo = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
            best = np.full(x.shape[:2] + (Ho, Wo), -np.inf, dtype=x.dtype)
            arg = np.zeros(1, dtype=np.min_scalar_type(kh * kw - 1))
            for i in range(kh):
                for j in range(kw):
                    entry = x[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw]   # a view, no copy
                    better = (entry > best) | np.isnan(entry)
                    best = np.maximum(best, entry)
                    arg = np.maximum(arg, better * arg.dtype.type(i * kw + j))
            return best, (x.shape, arg)
    return MaxPoolSlices


def _conv_backward(product):
    """A Conv2d whose dW is ``product(G, X)``; the first layer only (no dx)."""
    def make(Conv2d):
        class Conv2dDw(Conv2d):
            def backward(self, dout, cache, need_dx=True):
                CALLS.append(product.__name__)
                if need_dx:
                    raise DesignError("this design's Conv2d can only be a model's first layer")
                X = cache[-1]                                  # the columns, (N, C kh kw, Ho Wo)
                G = dout.reshape(dout.shape[0], dout.shape[1], -1)
                self.weight.accumulate_grad(product(G, X).reshape(self.weight.data.shape))
                self.bias.accumulate_grad(G.sum(axis=(0, 2)))
        return Conv2dDw
    return make


def _tensordot(G, X):
    return np.tensordot(G, X, axes=([0, 2], [0, 2]))


def _one_gemm(G, X):
    """Both as (rows, N Ho Wo) matrices: two transposed copies, one product."""
    return G.transpose(1, 0, 2).reshape(G.shape[1], -1) @ X.transpose(1, 0, 2).reshape(X.shape[1], -1).T


def _always_dx(Conv2d):
    class Conv2dAlwaysDx(Conv2d):
        def backward(self, dout, cache, need_dx=True):
            CALLS.append("always_dx")
            return super().backward(dout, cache, need_dx=True)
    return Conv2dAlwaysDx


def _conv_recompute(Conv2d):
    from tinynet.nn.im2col import im2col

    class Conv2dRecompute(Conv2d):
        def forward(self, x):
            CALLS.append("conv_recompute")
            out, _ = super().forward(x)
            return out, x

        def backward(self, dout, cache, need_dx=True):
            x = cache
            X = im2col(x, self.kernel_size, self.stride, self.padding)
            return super().backward(dout, (x.shape, X), need_dx=need_dx)
    return Conv2dRecompute


def install(design):
    """Put ``design`` into this process's tinynet (nothing for float64)."""
    if design not in DESIGNS:
        raise DesignError(f"unknown design {design!r}; choose from {', '.join(DESIGNS)}")
    if design == "im2col_loop":
        _replace_function("im2col", _im2col_loop)
    elif design == "col2im_add":
        _replace_function("add_window_entries", _always_adding)
    elif design == "maxpool_where":
        _replace_layer("MaxPool2d", _maxpool_where)
    elif design == "maxpool_full_dx":
        _replace_layer("MaxPool2d", _maxpool_full_dx)
    elif design == "maxpool_slices":
        _replace_layer("MaxPool2d", _maxpool_slices)
    elif design in ("dw_tensordot", "dw_one_gemm"):
        _replace_layer("Conv2d", _conv_backward(_tensordot if design == "dw_tensordot" else _one_gemm))
    elif design == "always_dx":
        _replace_layer("Conv2d", _always_dx)
    elif design == "conv_recompute":
        _replace_layer("Conv2d", _conv_recompute)


def check_called(design, step):
    """Run ``step()`` (one training step) and refuse ``design`` if it never
    called its replacement."""
    CALLS.clear()
    step()
    if design != "float64" and not CALLS:
        raise DesignError(f"{design}: a CNN step never called its replacement "
                          "(experiments/benchmark/designs.py needs an update)")
