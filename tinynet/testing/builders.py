"""Builders for gradient tests: parameters and inputs a finite difference can measure."""
import numpy as np

# Smallest distance of a ReLU input from the kink at 0: a finite-difference
# step of 1e-3 (times weights of a few units) can then never cross it.
KINK_MARGIN = 5e-2


def randomize_parameters(module, seed):
    """Fill every parameter with values from ``seed``: random signs, magnitudes
    in [0.1, 2] (never near 0, where a gradient entry could fall below what
    finite differences resolve). Returns the module."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.data[...] = rng.choice([-1.0, 1.0], size=p.data.shape) * rng.uniform(0.1, 2.0, size=p.data.shape)
    return module


def offsets_away_from_kink(z, margin=KINK_MARGIN):
    """Per-column offsets b with |z[n, j] + b[j]| >= margin for every n.

    Use them as the bias of a Linear layer feeding a ReLU (z = x W^T), so
    that no ReLU input sits near its kink. For each column, put the kink in
    the middle of the widest gap between consecutive sorted values when that
    gap is wide enough (the ReLU then switches within the column), else just
    below the smallest value.
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
