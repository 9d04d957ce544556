"""Checks for the arguments that layers, optimizers and ``nn.init`` are given.

One message style everywhere::

    <owner>: <name> must be <what>, got <value><hint>

``owner`` is the object being built (its class name is shown, from
``type(owner).__name__``, so a subclass is named as itself) or a function
(its own name is shown). The same sentence serves a wrong type (TypeError)
and a wrong value (ValueError).

Numbers: Python numbers, NumPy scalars (``np.float32(0.3)``, ``np.int64(100)``,
as values read from a config array often are) and 0-d arrays are accepted
alike and stored as plain Python numbers, so that they never change the dtype
of a layer's arithmetic. Bools, strings, NaN and infinities are refused.
Messages show the value plainly (``0.3``, never ``np.float32(0.3)``).
"""
import math
import numbers
import types
from collections import namedtuple

import numpy as np

Rule = namedtuple("Rule", "what test hint", defaults=("",))
Rule.__doc__ = """What a number must be: ``what`` completes "must be ...", ``test`` says
whether a finite float obeys it, ``hint`` (optional) says why, after the value."""

POSITIVE = Rule("a positive number", lambda v: v > 0)
NON_NEGATIVE = Rule("a non-negative number", lambda v: v >= 0)
FRACTION = Rule("a number in [0, 1)", lambda v: 0 <= v < 1)
UNIT_INTERVAL = Rule("a number in [0, 1]", lambda v: 0 <= v <= 1)
FINITE = Rule("a finite number", math.isfinite)


def owner_name(owner):
    """``Dropout`` for a Dropout layer, ``kaiming_uniform_`` for that function (or its name)."""
    if isinstance(owner, str):
        return owner
    if isinstance(owner, (types.FunctionType, types.BuiltinFunctionType)):
        return owner.__name__
    return type(owner).__name__


def _scalar(value):
    """A 0-d array's single value; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _is_integer(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not _is_bool(value)


def shown(value):
    """How a message shows a value: ``0.3`` for any number (NumPy's too),
    ``the string '0.1'``, ``None``, otherwise its repr and type."""
    value = _scalar(value)
    if _is_real(value):
        return str(value)
    if isinstance(value, str):
        return f"the string {value!r}"
    if value is None:
        return "None"
    return f"{value!r} (of type {type(value).__name__})"


def check_pair(owner, name, value, smallest=1):
    """An integer or a pair of integers (height, width), each >= ``smallest``
    (1 for sizes and strides, 0 for padding).

    As PyTorch's ``kernel_size``, ``stride`` and ``padding``: ``3`` means
    ``(3, 3)``. Returned as a tuple of two ints.
    """
    kind = {1: "positive", 0: "non-negative"}[smallest]
    what = f"a {kind} integer or a pair (height, width) of them"
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(_is_integer(v) for v in pair):
        refuse(TypeError, owner, name, what, value)
    if min(pair) < smallest:
        refuse(ValueError, owner, name, what, value)
    return int(pair[0]), int(pair[1])


def refuse(error, owner, name, what, value, hint=""):
    """Raise ``error`` with the one message style of this module."""
    raise error(f"{owner_name(owner)}: {name} must be {what}, got {shown(value)}{hint}")


def check_number(owner, name, value, rule, subject=None, allow_none=False):
    """``value`` as a float if it is a finite real number obeying ``rule``.

    ``subject`` replaces the bare argument name before "must be" (Dropout's
    "p is the probability of dropping and"); ``allow_none`` lets ``None``
    through unchanged (BatchNorm's cumulative-average momentum).
    """
    subject = subject or name
    what = rule.what + (" or None" if allow_none else "")
    if value is None and allow_none:
        return None
    number = _scalar(value)
    if not _is_real(number):
        refuse(TypeError, owner, subject, what, value)
    number = float(number)
    if math.isnan(number) or not rule.test(number):
        refuse(ValueError, owner, subject, what, value, rule.hint)
    if math.isinf(number):
        refuse(ValueError, owner, subject, what, value, " (not a finite number)")
    return number


def check_positive_int(owner, name, value):
    """A whole number >= 1 (a Python or NumPy integer, not a float), as an int."""
    number = _scalar(value)
    if not _is_integer(number):
        refuse(TypeError, owner, name, "a positive integer", value)
    if number < 1:
        refuse(ValueError, owner, name, "a positive integer", value)
    return int(number)


def check_axis(owner, name, value, only=None, hint=""):
    """An integer axis (not a bool, not a float), as an int; ``only``: the
    axes supported, if not all."""
    number = _scalar(value)
    if not _is_integer(number):
        refuse(TypeError, owner, name, "an integer axis", value)
    if only is not None and int(number) not in only:
        refuse(ValueError, owner, name, _listed(only), value, hint)
    return int(number)


def check_choice(owner, name, value, choices):
    """One of the strings ``choices``, exactly as written."""
    if not isinstance(value, str):
        refuse(TypeError, owner, name, _listed(choices), value)
    if value not in choices:
        refuse(ValueError, owner, name, _listed(choices), value)
    return value


def check_bool(owner, name, value):
    """True or False (NumPy's bool too, stored as a Python bool); 0, 1 and
    strings are refused, since nesterov=0.9 is a mistake, not a yes."""
    if not _is_bool(_scalar(value)):
        refuse(TypeError, owner, name, "True or False", value)
    return bool(_scalar(value))


def check_drop_probability(owner, p):
    """Dropout's and DropConnect's p: the probability of DROPPING, in [0, 1)."""
    return check_number(owner, "p", p, FRACTION, subject="p is the probability of dropping and")


def _listed(choices):
    """``'a' or 'b'``, ``'a', 'b' or 'c'``; numbers without quotes."""
    words = [repr(c) for c in choices]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
