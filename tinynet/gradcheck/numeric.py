r"""The numbers: Richardson-extrapolated central differences, and the error measure.

For any function y = f(x) and any fixed upstream gradient G of y's shape,
the scalar s(x) = sum(G * f(x)) has the gradient
    ds/dx = J^T G           (the vector-Jacobian product backward computes).
Central differences estimate it one entry at a time,
    D(h) = (s(x + h e_i) - s(x - h e_i)) / (2h)  =  ds/dx[i] + a h^2 + b h^4 + ...,
and Richardson extrapolation cancels the error terms one by one:
    R(h) = (4 D(h/2) - D(h)) / 3               =  ds/dx[i] + O(h^4)
    E    = (16 R(h/2) - R(h)) / 15             =  ds/dx[i] + O(h^6).
With h = 1e-3 in float64 the truncation error is negligible and the rounding
error is about 1e-16 / h = 1e-13, so a correct backward agrees to about
1e-10 (relative) -- while a wrong one is off by order 1. (A plain central
difference with h = 1e-6 has a rounding error of 1e-10, and cannot resolve
small gradient entries next to O(1) outputs.)

The price: no step may cross a kink (ReLU at 0). A kink shows itself in the
same evaluations, so it is detected for free. For a smooth s the estimates
follow the h^2 law: D(h) - D(h/2) = (3/4) a h^2 + ..., while
    R(h) - R(h/2)                      = O(h^4)      (the odd part), and
    S(h) = s(x + h e_i) + s(x - h e_i) - 2 s(x) = s'' h^2 + O(h^4),
    S(h) - 4 S(h/2)                    = O(h^4)      (the even part).
A step that crosses a kink breaks that law: R(h) - R(h/2) becomes as large
as D(h) - D(h/2) (or S(h) - 4 S(h/2) as large as S(h)), both of the order of
the slope's jump. ``finite_differences`` returns, per entry, the size of such
a law-breaking difference (0 where the h^2 law holds), which the checks
compare with the tolerance. (A smooth function curved on the scale of h
breaks the law too -- and its finite difference is just as untrustworthy.)
"""
from typing import NamedTuple

import numpy as np


class Estimate(NamedTuple):
    """What the finite differences of one tensor measured, each of its shape."""
    grad: np.ndarray            # the extrapolated central difference E
    instability: np.ndarray     # how far the central estimates break the h^2 law (0: they keep it)
    left: np.ndarray            # the extrapolated slope from the left, NaN where it breaks its law
    right: np.ndarray           # the same from the right


def finite_differences(f, x, upstream, h=1e-3):
    """Estimate d sum(upstream * f()) / dx, and how unstable the estimate is.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one
    entry at a time and always restored. x must be a writable float64 array
    (any memory layout). Returns ``(grad, instability)``, both of x's shape:
    the extrapolated estimate E, and the largest of |R(h) - R(h/2)|,
    |S(h) - 4 S(h/2)| / h and |S(h/2) - 4 S(h/4)| / (h/2) that breaks the h^2
    law (see above): 0 for a smooth function, of the order of the slope's
    jump where a step crosses a kink.
    """
    return estimate(f, x, upstream, h)[:2]


def estimate(f, x, upstream, h=1e-3):
    """``finite_differences``, plus the one-sided slopes of every entry.

    A step that crosses a kink spoils the central difference, but not the
    differences on the other side of the entry: from the right,
        D+(k) = (s(x + k e_i) - s(x)) / k  =  ds/dx[i] + a k + b k^2 + ...,
    extrapolated as 2 D+(k/2) - D+(k) and again as (4 R+(h/2) - R+(h)) / 3,
    and the same from the left. A side whose steps cross the kink breaks the
    law its own estimates follow; its slope is then NaN.
    """
    x = _perturbable(x)

    def s():
        return float(np.sum(upstream * f()))

    grad, instability = np.empty_like(x), np.empty_like(x)
    left, right = np.empty_like(x), np.empty_like(x)
    centre = s() if x.size else 0.0
    steps = (h, h / 2, h / 4)
    for index in np.ndindex(x.shape):
        original = x[index]
        plus, minus = [], []
        try:
            for step in steps:
                x[index] = original + step
                plus.append(s())
                x[index] = original - step
                minus.append(s())
        finally:
            x[index] = original
        # Differences below the rounding noise of s (100 ulps of its size) are no evidence.
        noise = 100 * np.finfo(np.float64).eps * max(abs(centre), *map(abs, plus), *map(abs, minus))
        d = [(p - m) / (2 * step) for p, m, step in zip(plus, minus, steps)]
        sums = [p + m - 2 * centre for p, m in zip(plus, minus)]
        grad[index], broken = _extrapolate(d, 2, 4, noise / h)
        instability[index] = max(broken, _law_broken(sums[0] - 4 * sums[1], sums[0], h, noise),
                                 _law_broken(sums[1] - 4 * sums[2], sums[1], h / 2, noise))
        for side, values in ((right, plus), (left, minus)):
            slopes = [(v - centre) / (step if side is right else -step) for v, step in zip(values, steps)]
            slope, broken = _extrapolate(slopes, 1, 2, 2 * noise / h)
            side[index] = np.nan if broken else slope
    return Estimate(grad, instability, left, right)


def _extrapolate(d, first, second, noise):
    """Richardson's extrapolation of d = [D(h), D(h/2), D(h/4)], whose error
    terms go as h^first and h^second (2 and 4 for central, 1 and 2 for
    one-sided differences), and by how much the two first extrapolations
    break that law (0 if they keep it)."""
    c, c2 = 2 ** first, 2 ** second
    r1, r2 = (c * d[1] - d[0]) / (c - 1), (c * d[2] - d[1]) / (c - 1)
    return (c2 * r2 - r1) / (c2 - 1), _law_broken(r1 - r2, d[0] - d[1], 1.0, noise)


def _law_broken(remainder, leading, step, noise):
    """|remainder| / step when the remainder the h^2 law says is tiny is not
    tiny next to the leading difference, nor mere rounding noise; else 0."""
    return abs(remainder) / step if abs(remainder) > max(0.25 * abs(leading), noise) else 0.0


def numerical_gradient(f, x, upstream, h=1e-3):
    """Richardson-extrapolated central-difference estimate of d sum(upstream * f()) / dx.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one
    entry at a time and restored. x must be a writable float64 array.
    """
    return estimate(f, x, upstream, h).grad


def _perturbable(x):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"finite differences perturb a NumPy array in place, got {type(x).__name__}")
    if x.dtype != np.float64:
        raise TypeError(f"finite differences need float64 arrays, got {x.dtype}; use model.double()")
    if not x.flags.writeable:
        raise ValueError("finite differences perturb the array in place, but it is read-only: "
                         "pass a writable copy (x.copy())")
    return x


def relative_error(analytic, numeric, floor=0.0):
    """||a - n|| / max(||a|| + ||n||, floor): 0 for a perfect match, 1 for unrelated.

    A norm over the whole array, not per entry: per-entry ratios blow up on
    entries that are zero up to rounding. ``floor`` keeps a gradient that is
    zero by structure (a bias feeding BatchNorm, which removes any constant)
    from being compared with its own rounding noise.
    """
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    scale = error_scale(analytic, numeric, floor)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def error_scale(analytic, numeric, floor=0.0):
    """The denominator of ``relative_error``."""
    return max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), floor)
