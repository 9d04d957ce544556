"""The random search itself: what is searched, how trials are drawn, how
they are ranked, and how a second round narrows the ranges.

* The space: the learning rate and ONE regulariser -- the L2 λ by default,
  the L1 λ or the dropout rate by option -- each over a range (LOW, HIGH).
* A trial: values drawn log-uniformly (uniform in log10), rounded to three
  significant digits -- the value shown is the value trained -- from a
  generator seeded by (search seed, round): the same command draws the
  same trials.
* Its score: the validation accuracy after the last epoch, averaged over
  the trial's seeds. A trial with a diverged seed has no score and ranks last.
* Round r + 1 searches the smallest range around the best fifth of the
  trials so far (at least two), widened by a factor of 2 on each side and
  kept inside the range given.
"""
import math
from typing import NamedTuple

import numpy as np

from ..config import RunConfig

PARAMS = ("lr", "l2", "l1", "dropout")
REGULARISERS = PARAMS[1:]
DEFAULT_RANGES = {"lr": (1e-3, 1.0), "l2": (1e-6, 1e-1), "l1": (1e-7, 1e-3), "dropout": (0.02, 0.5)}
SIGNIFICANT = 3           # digits of a drawn value
NARROW_SHARE = 0.2        # a later round searches around the best fifth of the trials ...
NARROW_FACTOR = 2.0       # ... widened by this factor on each side
DRAWS_PER_TRIAL = 100     # a range too narrow for distinct 3-digit values gives up after this


def range_problem(name, low, high):
    """What is wrong with searching ``name`` over (low, high), or None."""
    if name not in PARAMS:
        return f"unknown parameter {name!r}; choose from {', '.join(PARAMS)}"
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        return (f"{name} needs 0 < LOW < HIGH (values are drawn log-uniformly), got "
                f"{low:g} {high:g}")
    if name == "dropout" and high >= 1:
        return f"dropout is a drop probability, below 1, got HIGH {high:g}"
    return None


class Space(NamedTuple):
    """The searched ranges: {"lr": (low, high), regulariser: (low, high)}."""

    regulariser: str
    ranges: dict

    @classmethod
    def from_options(cls, options):
        """The space of the ``--param NAME LOW HIGH`` options (a list of
        triples, or None): lr and the L2 λ over their default ranges unless
        given. ValueError names a bad option."""
        given = {}
        for name, low, high in options or ():
            problem = range_problem(name, low, high)
            if problem:
                raise ValueError(problem)
            if name in given:
                raise ValueError(f"{name} is given twice")
            given[name] = (low, high)
        chosen = [name for name in given if name in REGULARISERS]
        if len(chosen) > 1:
            raise ValueError(f"one regulariser at a time, got {' and '.join(chosen)}")
        regulariser = chosen[0] if chosen else "l2"
        return cls(regulariser, {name: given.get(name, DEFAULT_RANGES[name])
                                 for name in ("lr", regulariser)})


class Trial(NamedTuple):
    """One point of the search: its round and its values {"lr": .., regulariser: ..}."""

    round: int
    values: dict

    @property
    def name(self):
        return "trial_" + "_".join(f"{k}={v:g}" for k, v in self.values.items())

    def config(self, epochs, val_size):
        """The trial's run: the lecture's MLP on the first 300 images, scored on
        the ``val_size`` images after them, never evaluated on the test set."""
        return RunConfig(self.name, label(self.values), epochs=epochs, val_size=val_size,
                         test_evaluation="never", **self.values)


def label(values):
    return ", ".join(f"{k} {v:g}" for k, v in values.items())


def chosen_config(trial, epochs):
    """The chosen trial's values retrained on the same 300 images, then
    evaluated on the test set once, after the last epoch."""
    name = "chosen_" + trial.name.removeprefix("trial_")
    return RunConfig(name, label(trial.values), epochs=epochs, test_evaluation="final",
                     **trial.values)


def _significant(value):
    return float(f"{value:.{SIGNIFICANT}g}")


def draw(ranges, count, search_seed, round_number, taken=()):
    """``count`` new trials of round ``round_number`` over ``ranges``, none of
    whose names are in ``taken``; ValueError when the ranges are too
    narrow to hold that many distinct values."""
    rng = np.random.default_rng([search_seed, round_number])
    trials, names = [], set(taken)
    for _ in range(DRAWS_PER_TRIAL * count):
        values = {name: _significant(10 ** rng.uniform(math.log10(low), math.log10(high)))
                  for name, (low, high) in ranges.items()}
        trial = Trial(round_number, values)
        inside = all(low <= values[name] <= high for name, (low, high) in ranges.items())
        if inside and trial.name not in names:      # rounding may step outside: draw again
            trials.append(trial)
            names.add(trial.name)
            if len(trials) == count:
                return trials
    raise ValueError(f"the ranges {ranges} hold fewer than {count} distinct values of "
                     f"{SIGNIFICANT} significant digits not yet tried; widen them")


def score(trial_records):
    """A trial's score: the mean validation accuracy of its seeds' records
    after their last epoch; None when a seed diverged."""
    values = [r["final"].get("val_acc") for r in trial_records]
    return None if any(v is None for v in values) else float(np.mean(values))


def ranked(trials, scores):
    """The scored trials, best first (ties: by name, so the order is fixed)."""
    scored = [t for t in trials if scores[t.name] is not None]
    return sorted(scored, key=lambda t: (-scores[t.name], t.name))


def narrowed(ranges, trials, scores):
    """The ranges of the next round (module docstring); the same ranges
    when no trial has a score."""
    best = ranked(trials, scores)
    best = best[:max(2, math.ceil(NARROW_SHARE * len(best)))]
    if not best:
        return dict(ranges)
    return {name: (max(low, min(t.values[name] for t in best) / NARROW_FACTOR),
                   min(high, max(t.values[name] for t in best) * NARROW_FACTOR))
            for name, (low, high) in ranges.items()}
