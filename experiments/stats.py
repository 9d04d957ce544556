"""Statistics over seeds, and THE rule for comparing two configurations.

* :class:`Stat` -- one metric's per-seed values (mean, sample std, ...).
* :class:`Diff` -- a difference of two means with its standard error
  SE = sqrt(se1^2 + se2^2), se = std / sqrt(n). The one comparison rule,
  used by the table and every finding::

      |difference| <= 2 SE  ->  "comparable" (indistinguishable from seed noise)
      otherwise             ->  "higher" or "lower"
      fewer than 2 seeds on either side -> "no spread" (nothing to judge by)

"std" is always the sample standard deviation over seeds (ddof=1). How the
report puts these numbers into words, in English and Korean, is
report_text.py's job.
"""
import math

import numpy as np

SE_MULTIPLE = 2          # a difference within 2 standard errors is "comparable"


class Diff:
    """A difference of two means (accuracy units) with its standard error."""

    def __init__(self, value, se, judgeable=True):
        self.value, self.se, self.judgeable = float(value), float(se), judgeable

    @property
    def verdict(self):
        """"higher", "lower", "comparable" or "no spread" -- THE rule (module docstring)."""
        if not self.judgeable:
            return "no spread"
        if abs(self.value) <= SE_MULTIPLE * self.se:
            return "comparable"
        return "higher" if self.value > 0 else "lower"

    @property
    def clear(self):
        """True when the difference is real by the rule (higher or lower)."""
        return self.verdict in ("higher", "lower")


class Stat:
    """Per-seed values of one metric (finite values only), with summaries."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.size == 0:
            raise ValueError("a Stat needs at least one value")

    n = property(lambda self: len(self.values))
    mean = property(lambda self: float(self.values.mean()))
    std = property(lambda self: float(self.values.std(ddof=1)) if self.n > 1 else 0.0)
    min = property(lambda self: float(self.values.min()))
    max = property(lambda self: float(self.values.max()))
    se = property(lambda self: self.std / math.sqrt(self.n))

    def __sub__(self, other):
        return Diff(self.mean - other.mean, math.sqrt(self.se ** 2 + other.se ** 2),
                    judgeable=self.n > 1 and other.n > 1)

    def versus_single(self, value):
        """``value`` (one run, e.g. the lecture's) minus our mean. A single run
        scatters like one of our seeds, so its SE is our std; ours adds std/sqrt(n)."""
        return Diff(value - self.mean, self.std * math.sqrt(1 + 1 / self.n), judgeable=self.n > 1)


def describe_values(values):
    """per-seed values with mean, sample std, min and max (JSON-ready)."""
    stat = Stat(values)
    return {"per_seed": [float(v) for v in stat.values], "mean": stat.mean, "std": stat.std,
            "min": stat.min, "max": stat.max}
