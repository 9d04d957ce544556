"""Shared builders for the gradient and parity tests."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from experiments.models import LectureBatchNormMLP as LectureMLP  # noqa: F401 (re-exported)

# Richardson-extrapolated finite differences in float64 agree with a correct
# backward to about 1e-10 (tinynet/gradcheck.py); a wrong one is off by order 1.
GRAD_TOL = 1e-7
# Twin computations in float64 differ only by summation order.
PARITY_TOL = 1e-10

# Smallest distance of a ReLU input from the kink at 0: a finite-difference
# step of 1e-3 (times weights of a few units) can then never cross it.
KINK_MARGIN = 5e-2

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)


def float_arrays(shape, low=-3.0, high=3.0):
    """Any floats in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False,
                                                            allow_subnormal=False))


@st.composite
def signed_values(draw, shape, low=0.1, high=3.0):
    """Values with magnitude in [low, high] and random signs.

    Finite differences resolve a gradient only to about 1e-16 * |output| / h,
    so an input of 1e-8 beside O(1) terms would make an exact backward look
    wrong. Magnitudes of at least 0.1 keep every gradient entry measurable,
    and keep ReLU inputs away from the kink at 0.
    """
    magnitude = draw(float_arrays(shape, low, high))
    sign = draw(hnp.arrays(np.bool_, shape))
    return np.where(sign, magnitude, -magnitude)


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


def offsets_away_from_kink(z, margin=KINK_MARGIN):
    """Per-column offsets b with |z[n, j] + b[j]| >= margin for every n.

    For each column, put the kink in the middle of the widest gap between
    consecutive sorted values when that gap is wide enough (the ReLU then
    switches within the column), else just below the smallest value.
    """
    offsets = np.empty(z.shape[1])
    for j, column in enumerate(z.T):
        values = np.sort(column)
        gaps = np.diff(values)
        if gaps.size and gaps.max() > 2 * margin:
            k = int(np.argmax(gaps))
            offsets[j] = -(values[k] + values[k + 1]) / 2
        else:
            offsets[j] = -values[0] + margin
    return offsets


def randomize(module, seed):
    """Fill every parameter with values from ``seed``: random signs, magnitudes
    in [0.1, 2] (never near 0, for the reason given in ``signed_values``)."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.data[...] = rng.choice([-1.0, 1.0], size=p.data.shape) * rng.uniform(0.1, 2.0, size=p.data.shape)
    return module


def assert_grads_close(errors, tol=GRAD_TOL):
    worst = max(errors, key=errors.get)
    assert errors[worst] < tol, f"gradient of {worst!r} off: relative errors {errors}"

