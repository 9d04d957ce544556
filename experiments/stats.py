"""Statistics over seeds, and THE rule for comparing two configurations.

* :class:`Stat` -- one metric's per-seed values (mean, sample std, ...).
* :class:`Diff` -- a difference of two means with its standard error
  SE = sqrt(se1^2 + se2^2), se = std / sqrt(n). The one comparison rule,
  used by the table, every finding and both languages::

      |difference| <= 2 SE  ->  "comparable" (indistinguishable from seed noise)
      otherwise             ->  "higher" or "lower"
      fewer than 2 seeds on either side -> "no spread" (nothing to judge by)

* Sentences are :class:`tinynet.text.Text` pairs, built from the same
  numbers (the findings' one source of truth).

"std" is always the sample standard deviation over seeds (ddof=1).
"""
import math

import numpy as np

from tinynet.text import Text

SE_MULTIPLE = 2          # a difference within 2 standard errors is "comparable"
VERDICT_KO = {"higher": "높음", "lower": "낮음", "comparable": "비슷함", "no spread": "판단 불가"}


def object_particle(word):
    """Korean object particle for ``word``: 을 after a final consonant, else 를."""
    last = word.rstrip()[-1:]
    if "가" <= last <= "힣":
        return "을" if (ord(last) - ord("가")) % 28 else "를"
    return "를"


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
    def verdict_ko(self):
        return VERDICT_KO[self.verdict]

    @property
    def clear(self):
        """True when the difference is real by the rule (higher or lower)."""
        return self.verdict in ("higher", "lower")

    def points(self):
        """'+2.9 ± 0.8 points' (percentage points)."""
        return f"{100 * self.value:+.1f} ± {100 * self.se:.1f} points"

    def points_ko(self):
        return f"{100 * self.value:+.1f} ± {100 * self.se:.1f}%p"

    def short(self):
        """Table cell: '+2.9 ± 0.8 (higher)'."""
        return f"{100 * self.value:+.1f} ± {100 * self.se:.1f} ({self.verdict})"

    def short_ko(self):
        return f"{100 * self.value:+.1f} ± {100 * self.se:.1f} ({self.verdict_ko})"

    def verb(self, what=Text("test accuracy", "테스트 정확도")):
        """A predicate in both languages: 'raised test accuracy by 2.9 ± 0.8
        points' / '테스트 정확도를 2.9 ± 0.8%p 높였다', 'left ... unchanged
        within noise', or for a single seed 'changed ... by'."""
        size = f"{100 * abs(self.value):.1f} ± {100 * self.se:.1f}"
        obj = what.ko + object_particle(what.ko)
        verdict = self.verdict
        if verdict == "no spread":
            return Text(f"changed {what.en} by {100 * self.value:+.1f} points (one seed: no spread "
                        "to judge by)",
                        f"{obj} {100 * self.value:+.1f}%p 바꿨다 (시드 하나: 판단할 편차 없음)")
        if verdict == "comparable":
            return Text(f"left {what.en} unchanged within noise ({self.points()})",
                        f"{obj} 잡음 범위 안에서 바꾸지 못했다 ({self.points_ko()})")
        if verdict == "higher":
            return Text(f"raised {what.en} by {size} points", f"{obj} {size}%p 높였다")
        return Text(f"lowered {what.en} by {size} points", f"{obj} {size}%p 낮췄다")


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

    def acc(self):
        """'0.7637 ± 0.0123' (mean ± std)."""
        return f"{self.mean:.4f} ± {self.std:.4f}"

    def points(self):
        """'76.4 ± 1.2 points' (for accuracy differences such as the gap)."""
        return f"{100 * self.mean:.1f} ± {100 * self.std:.1f} points"

    def points_ko(self):
        return f"{100 * self.mean:.1f} ± {100 * self.std:.1f}%p"


def describe_values(values):
    """per-seed values with mean, sample std, min and max (JSON-ready)."""
    stat = Stat(values)
    return {"per_seed": [float(v) for v in stat.values], "mean": stat.mean, "std": stat.std,
            "min": stat.min, "max": stat.max}


def versus_baseline(config, base):
    """One finding line: a configuration's test (and train) accuracy, compared with the baseline's."""
    verb = (config.test_acc - base.test_acc).verb()
    return Text(
        f"{config.label}: test {config.test_acc.acc()} (train {config.train_acc.acc()}), which {verb.en} "
        "compared with the baseline.",
        f"{config.label_ko}: 테스트 {config.test_acc.acc()} (학습 {config.train_acc.acc()}), 기준 모델에 비해 "
        f"{verb.ko}.")

