"""Test your own layers in your own pytest files (tinynet's own tests use this too).

    import numpy as np, tinynet as tn
    from tinynet.testing import assert_layer_gradients

    def test_my_sigmoid():
        x = np.random.default_rng(0).normal(size=(4, 3))
        assert_layer_gradients(MySigmoid(), x)      # AssertionError with the full report if wrong

Assertions (NumPy only):
    assert_layer_gradients(layer, x)            input and parameter gradients, and dout left untouched
    assert_loss_gradient(loss_fn, input, target)
    assert_function_gradient(f, df, x)
    assert_backward_leaves_dout_untouched(layer, x)
    assert_matches_torch(layer, torch_module, x) forward and gradients equal PyTorch's in float64
                                                 (skips the test when torch is not installed)
Each takes lang="en" | "ko" | "both" for its message (default: $TINYNET_LANG, else English).
Builders: randomize_parameters(module, seed), offsets_away_from_kink(z).
Hypothesis strategies (imported on first use, so tinynet needs no hypothesis):
    shapes(...), batches(...), away_from_kinks(...), float_arrays(...),
    signed_values(...), spread_columns(n, c)
"""
from .assertions import (assert_backward_leaves_dout_untouched, assert_function_gradient,
                         assert_layer_gradients, assert_loss_gradient)
from .builders import KINK_MARGIN, offsets_away_from_kink, randomize_parameters
from .torch_twin import PARITY_TOLERANCE, assert_matches_torch

_STRATEGIES = ("away_from_kinks", "batches", "float_arrays", "shapes", "signed_values", "spread_columns")


def __getattr__(name):
    # The strategies need hypothesis; import it only when one is asked for.
    if name in _STRATEGIES:
        try:
            from . import strategies
        except ModuleNotFoundError as error:
            if error.name != "hypothesis":
                raise
            raise ImportError(f"tinynet.testing.{name} is a hypothesis strategy: pip install hypothesis") from None
        return getattr(strategies, name)
    raise AttributeError(f"module 'tinynet.testing' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_STRATEGIES])


# The strategies are left out, so that `from tinynet.testing import *` needs no hypothesis.
__all__ = ["KINK_MARGIN", "PARITY_TOLERANCE", "assert_backward_leaves_dout_untouched",
           "assert_function_gradient", "assert_layer_gradients", "assert_loss_gradient",
           "assert_matches_torch", "offsets_away_from_kink", "randomize_parameters"]
