"""Assertions that raise AssertionError carrying gradcheck's full report."""
import numpy as np

from ..gradcheck import TOLERANCE, check_function, check_layer, check_loss
from ..nn.layer import Layer
from ..nn.module import Module
from ..random import manual_seed


def assert_layer_gradients(layer, x, seed=0, h=1e-3, tolerance=TOLERANCE):
    """Assert that ``layer``'s input and parameter gradients match finite
    differences and that its backward leaves dout untouched (see
    ``tinynet.gradcheck.check_layer``). Returns the GradcheckResult."""
    return _passed(check_layer(layer, x, seed=seed, h=h, tolerance=tolerance))


def assert_loss_gradient(loss_fn, input, target, h=1e-3, tolerance=TOLERANCE, dout=1.0):
    """Assert that ``loss_fn``'s gradient d loss / d input matches finite differences."""
    return _passed(check_loss(loss_fn, input, target, h=h, tolerance=tolerance, dout=dout))


def assert_function_gradient(f, df, x, h=1e-3, tolerance=TOLERANCE, seed=0):
    """Assert that ``df`` is the derivative of ``f`` (see ``check_function``)."""
    return _passed(check_function(f, df, x, h=h, tolerance=tolerance, seed=seed))


def assert_backward_leaves_dout_untouched(layer, x, seed=0):
    """Assert that ``layer.backward`` does not modify its upstream gradient.

    A backward that writes into dout (``dout *= mask``) corrupts the gradient
    its caller still holds -- in a model, the one another branch receives.
    """
    inputs = x if isinstance(x, tuple) else (x,)
    manual_seed(seed)
    if isinstance(layer, Module) and not isinstance(layer, Layer):
        out = layer(*inputs)
        dout = np.random.default_rng([seed, 2024]).normal(size=np.shape(out))
        original = dout.copy()
        layer.backward(dout, input_grad=True)
    else:
        out, cache = layer.forward(*inputs)
        dout = np.random.default_rng([seed, 2024]).normal(size=np.shape(out))
        original = dout.copy()
        layer.backward(dout, cache)
    if not np.array_equal(dout, original):
        changed = int(np.sum(dout != original))
        raise AssertionError(f"{type(layer).__name__}.backward modified dout (the upstream gradient) in place: "
                             f"{changed} of {dout.size} entries changed. Compute a new array instead "
                             "(dx = dout * mask, not dout *= mask)")


def _passed(result):
    if not result.ok:
        raise AssertionError(str(result))
    return result
