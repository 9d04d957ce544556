"""Checks for the numbers a layer is built with (sizes, probabilities, eps, ...).

NumPy scalars are accepted wherever a Python number is (``np.float32(0.3)``,
``np.int64(100)``, as values read from a config array often are) and stored
as plain Python numbers, so that they never change the dtype of a layer's
arithmetic. Error messages show the value plainly (``0.3``) and name the
argument.
"""
import math
import numbers

import numpy as np


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _shown(value):
    """``0.3`` for any number (NumPy's too), ``'0.1'`` for a string, the type otherwise."""
    if _is_real(value):
        return str(value)
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{value!r} (a {type(value).__name__})"


def check_positive_int(layer, name, value):
    """A whole number >= 1 (a Python or NumPy integer), returned as an int."""
    if not _is_int(value):
        raise TypeError(f"{layer}: {name} must be a positive integer, got {_shown(value)}")
    if value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {_shown(value)}")
    return int(value)


def check_pair(layer, name, value, smallest=1):
    """An integer or a pair of integers (height, width), each >= ``smallest``
    (1 for sizes and strides, 0 for padding).

    As PyTorch's ``kernel_size``, ``stride`` and ``padding``: ``3`` means
    ``(3, 3)``. Returned as a tuple of two ints.
    """
    kind = {1: "positive", 0: "non-negative"}[smallest]
    requirement = f"a {kind} integer or a pair (height, width) of them"
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(_is_int(v) for v in pair):
        raise TypeError(f"{layer}: {name} must be {requirement}, got {_shown(value)}")
    if min(pair) < smallest:
        raise ValueError(f"{layer}: {name} must be {requirement}, got {_shown(value)}")
    return int(pair[0]), int(pair[1])


def check_number(layer, name, value, requirement, ok, subject=None):
    """A real number (not bool, not NaN) for which ``ok(value)`` holds, as a float.

    ``requirement`` completes "must be ..." in the message, e.g. "in [0, 1)";
    ``subject`` replaces the bare argument name before "must be".
    """
    subject = subject or name
    if not _is_real(value):
        raise TypeError(f"{layer}: {subject} must be a number ({requirement}), got {_shown(value)}")
    value_float = float(value)
    if math.isnan(value_float) or not ok(value_float):
        raise ValueError(f"{layer}: {subject} must be {requirement}, got {_shown(value)}")
    return value_float


def check_drop_probability(layer, p):
    """Dropout's and DropConnect's p: the probability of DROPPING, in [0, 1)."""
    return check_number(layer, "p", p, "in [0, 1)", lambda v: 0.0 <= v < 1.0,
                        subject="p is the probability of dropping and")
