"""Assertions that raise AssertionError carrying gradcheck's full report.

Each takes ``lang`` ("en", "ko" or "both"; by default $TINYNET_LANG, else
English): the language of the report the AssertionError carries.
"""
import numpy as np

from ..gradcheck import TOLERANCE, check_function, check_layer, check_loss
from ..gradcheck.subject import dout_modified, random_upstream, run_backward, run_forward
from ..text import language


def assert_layer_gradients(layer, x, seed=0, h=1e-3, tolerance=TOLERANCE, lang=None):
    """Assert that ``layer``'s input and parameter gradients match finite
    differences and that its backward leaves dout untouched (see
    ``tinynet.gradcheck.check_layer``). Returns the GradcheckResult."""
    return _passed(check_layer(layer, x, seed=seed, h=h, tolerance=tolerance, lang=lang))


def assert_loss_gradient(loss_fn, input, target, h=1e-3, tolerance=TOLERANCE, dout=None, seed=0, lang=None):
    """Assert that ``loss_fn``'s gradient d loss / d input matches finite differences (see ``check_loss``)."""
    return _passed(check_loss(loss_fn, input, target, h=h, tolerance=tolerance, dout=dout, seed=seed, lang=lang))


def assert_function_gradient(f, df, x, h=1e-3, tolerance=TOLERANCE, seed=0, lang=None):
    """Assert that ``df`` is the derivative of ``f`` (see ``check_function``)."""
    return _passed(check_function(f, df, x, h=h, tolerance=tolerance, seed=seed, lang=lang))


def assert_backward_leaves_dout_untouched(layer, x, seed=0, lang=None):
    """Assert that ``layer.backward`` does not modify its upstream gradient.

    A backward that writes into dout (``dout *= mask``) corrupts the gradient
    its caller still holds -- in a model, the one another branch receives.
    """
    lang = language(lang)
    out, cache = run_forward(layer, x if isinstance(x, tuple) else (x,), seed, lang=lang)
    dout = random_upstream(out, seed)
    original = np.copy(dout)
    run_backward(layer, dout, cache)
    if not np.array_equal(dout, original):
        changed = int(np.sum(dout != original))
        raise AssertionError(dout_modified(type(layer).__name__, changed, np.size(dout)).pick(lang))


def _passed(result):
    if not result.ok:
        raise AssertionError(str(result))
    return result
