"""Choosing a setting on validation data -- never on the test set.

An experiment that chooses a setting (``Experiment.choices``, say each
optimizer's learning rate) declares, per choice, the selection runs to
choose among: configurations with ``test_evaluation="never"`` (as
``python -m experiments.tune``'s trials), trained on the training images
and measured on the validation images right after them (as early
stopping's). A selection run never reads the test images: its evaluation
splits hold none (evaluation.Splits), and its record holds no test number
(record_check.py refuses one that does). The lab then

1. runs every selection run with every seed (lab_run.run's first pass);
2. scores each by :func:`score` -- the mean over the seeds of its final
   validation accuracy, a diverged seed counting 0 (it predicts nothing,
   so a rate that diverges is never preferred to one that trains) -- and
   picks the highest (on a tie, the first declared);
3. adds the winner as a reported configuration: the choice's name and
   label, the winner's settings, no validation set, the test set evaluated
   as in every other experiment; and runs it (the second pass).

The choice is made on the first framework run (tinynet, or PyTorch alone),
and both frameworks then train the chosen configuration, so their results
stay side by side. :func:`chosen` is the one implementation of the rule:
the lab's second pass and the report's findings both call it.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

from .summary import FRAMEWORKS, MissingResults, Results, summarize


@dataclasses.dataclass(frozen=True)
class Choice:
    """One setting chosen on validation data: the reported configuration
    ``name`` (with ``label``) gets the settings of the best of the
    selection runs named in ``among``, which differ in ``setting``."""

    name: str
    label: str
    among: tuple
    setting: str = "lr"


class Outcome(NamedTuple):
    """What :func:`chosen` found for one Choice: ``scored`` [(ConfigResult,
    score)] in the declared order, ``winner`` (a ConfigResult, or None with
    ``missing`` saying why)."""

    choice: Choice
    scored: list
    winner: object
    missing: str | None


def score(result):
    """The mean over seeds of the final validation accuracy, a diverged seed counting 0."""
    if not result.usable:
        return 0.0
    return float(result.val_acc.values.sum()) / result.seeds


def chooser(results, experiment):
    """The framework whose selection runs decide: the first one run."""
    return next((f for f in FRAMEWORKS if results.has(experiment, f)), FRAMEWORKS[0])


def chosen(results, experiment):
    """[Outcome] of every choice ``experiment`` (config.Experiment) declares,
    from ``results`` (summary.Results). A choice is made only when each of
    its selection runs has every requested seed."""
    framework = chooser(results, experiment.name)
    if not results.has(experiment.name, framework):
        return [Outcome(c, [], None, f"{experiment.name} was not run") for c in experiment.choices]
    summary = results.summaries[(experiment.name, framework)]
    wanted = len(summary["seeds_requested"])
    by_name = {c.name: c for c in results.all_configs(experiment.name, framework)}
    outcomes = []
    for choice in experiment.choices:
        runs = [by_name.get(name) for name in choice.among]
        absent = [name for name, run in zip(choice.among, runs) if run is None or run.seeds < wanted]
        if absent:
            outcomes.append(Outcome(choice, [], None, f"the selection runs {', '.join(absent)} "
                                                      f"do not have all {wanted} seeds"))
            continue
        scored = [(run, score(run)) for run in runs]
        best = max(scored, key=lambda pair: pair[1])       # max keeps the first of equals
        outcomes.append(Outcome(choice, scored, best[0], None))
    return outcomes


def reported(config, choice):
    """The reported configuration of ``choice`` from its winning selection run."""
    return dataclasses.replace(config, name=choice.name, label=choice.label, val_size=0,
                               test_evaluation="schedule", lecture_reported=None)


def with_choices(plan, records, frameworks, seeds):
    """``plan`` (an Experiment as requested) with the reported configuration
    of every choice that can be made from ``records`` appended to its
    configurations (which keep the selection runs)."""
    if not plan.choices:
        return plan
    names = {choice.name for choice in plan.choices}
    selection_runs = tuple(c for c in plan.configs if c.name not in names)
    plan = dataclasses.replace(plan, configs=selection_runs)
    framework = next(f for f in FRAMEWORKS if f in frameworks)
    summary = summarize(plan, framework, records, seeds)
    if summary is None:
        return plan
    configs = {c.name: c for c in selection_runs}
    finals = tuple(reported(configs[o.winner.name], o.choice)
                   for o in chosen(Results({(plan.name, framework): summary}), plan) if o.winner)
    return dataclasses.replace(plan, configs=selection_runs + finals)


def new_configs(before, after):
    """The configurations ``after`` (with_choices) added to the plan ``before``."""
    known = {c.name for c in before.configs}
    return [c for c in after.configs if c.name not in known]


def choice_of(results, experiment, name):
    """The Outcome of the choice called ``name``; MissingResults without a winner."""
    for outcome in chosen(results, experiment):
        if outcome.choice.name == name:
            if outcome.winner is None:
                raise MissingResults(f"{experiment.name}/{name}: {outcome.missing}")
            return outcome
    raise KeyError(name)
