"""One seedable random number generator for the whole framework.

Weight initialisation, dropout masks, DropConnect masks and DataLoader
shuffling all draw from this single ``numpy.random.Generator``, so
``tinynet.manual_seed(s)`` makes a whole run reproducible, bit for bit,
just as ``torch.manual_seed`` does for PyTorch.
"""
import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reset the global generator to a fresh ``default_rng(seed)``."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator():
    """The current global ``numpy.random.Generator``."""
    return _generator
