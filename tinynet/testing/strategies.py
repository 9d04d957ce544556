"""Hypothesis strategies for gradient tests (this module needs ``hypothesis``).

Finite differences resolve a gradient only to about 1e-16 * |output| / h, so
an input of 1e-8 beside O(1) terms would make an exact backward look wrong,
and a step must never cross a kink. These strategies draw inputs that a
finite difference can measure.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .builders import KINK_MARGIN


def shapes(min_dims=2, max_dims=2, min_side=1, max_side=5):
    """Array shapes, (N, C) by default, every side in [min_side, max_side]."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def float_arrays(shape, low=-3.0, high=3.0):
    """float64 arrays of ``shape`` with any values in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False,
                                                            allow_subnormal=False))


@st.composite
def signed_values(draw, shape, low=0.1, high=3.0):
    """float64 arrays of ``shape`` with magnitudes in [low, high] and random signs.

    Magnitudes of at least 0.1 keep every gradient entry measurable, and keep
    ReLU inputs away from the kink at 0.
    """
    magnitude = draw(float_arrays(shape, low, high))
    sign = draw(hnp.arrays(np.bool_, shape))
    return np.where(sign, magnitude, -magnitude)


@st.composite
def batches(draw, shape=None, low=0.1, high=3.0):
    """Input batches for a layer: float64 arrays with magnitudes in [low, high]
    and random signs. ``shape`` is a tuple, a strategy of shapes, or None for
    any (N, C) with N, C in 1..5."""
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    return draw(signed_values(tuple(shape), low, high))


def away_from_kinks(shape, kinks=(0.0,), margin=KINK_MARGIN, low=-3.0, high=3.0):
    """float64 arrays of ``shape`` with values in [low, high], each at least
    ``margin`` away from every kink (0 for ReLU; pass a LeakyReLU's or your
    own layer's kinks), so that no finite-difference step crosses one."""
    kinks = tuple(float(k) for k in kinks)
    if not margin > 0:
        raise ValueError(f"away_from_kinks: margin must be positive, got {margin!r}")

    def clear(value):
        return all(abs(value - k) >= margin for k in kinks)

    elements = st.floats(low, high, allow_nan=False, allow_subnormal=False).filter(clear)
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def spread_columns(draw, n, c):
    """A (n, c) batch whose every column has a spread of at least 0.5.

    Rows get an offset of 3 per row index plus a value in [-1, 1], so two
    rows differ by at least 1 in every column: BatchNorm never sees a
    near-constant column, where its curvature would swamp the check.
    """
    noise = draw(float_arrays((n, c), -1.0, 1.0))
    order = draw(st.permutations(range(n)))
    return noise + 3.0 * np.asarray(order, dtype=np.float64)[:, None]
