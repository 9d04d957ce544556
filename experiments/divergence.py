"""Divergence is a result, not an error.

A run whose loss or weights stop being finite (a learning rate far too
high, say) is stopped at that point and recorded as diverged; its record
never holds NaN or infinity. The signals:

* a non-finite number the loop sees (a loss PyTorch returns, the penalty,
  an evaluation loss): :func:`finite_or_diverged` raises :class:`Diverged`;
* a non-finite weight or running statistic, checked once per epoch:
  :func:`check_finite_weights`;
* tinynet's own refusal: its losses and BatchNorm raise FloatingPointError
  on non-finite values, which :data:`SIGNALS` lets the loop catch alike.
"""
import math

import numpy as np


class Diverged(Exception):
    """Training produced a non-finite loss or weight. Caught in
    ``train.run``, which records it as a result."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


SIGNALS = (Diverged, FloatingPointError)     # what the loop records as divergence


def finite_or_diverged(value, what):
    """``value`` itself, or Diverged when it is NaN or infinite (PyTorch
    returns a non-finite loss where tinynet refuses it)."""
    if not math.isfinite(value):
        raise Diverged(f"non-finite {what}")
    return value


def check_finite_weights(learner):
    """Raise Diverged when a weight or a running statistic is NaN or infinite.
    Checked once per epoch: about 100,000 numbers, negligible beside an epoch."""
    for name, value in learner.state_dict().items():
        if not np.isfinite(value).all():
            raise Diverged(f"non-finite values in {name}")
