"""The report's figures, drawn from the summaries in memory (matplotlib,
Agg backend; every PNG written atomically through experiments.storage).

Each experiment script declares its figures (``Experiment.figures``, from
the declarations in catalogue.py); :func:`draw_all` draws what the
requested experiments declare, plus the report's overview, and returns
{section: [Figure]} -- section = an experiment's name, or "overview" --
each Figure naming its file and one sentence of what to see in it, for
REPORT.md and REPORT.ko.md.

    catalogue.py       what an experiment can declare, and what each figure needs
    curves.py          learning curves (every experiment)
    weights.py         λ sweeps; L1 vs L2 histograms of the final weights
    inside.py          batchnorm: pre-activation quantiles, gradient norms
    early_stopping.py  validation curves with stop and best epochs
    overview.py        every configuration's test accuracy

The figures are independent of each other: with ``workers`` > 1 they are
drawn in that many processes at once (matplotlib takes about 12 s for the
whole lab's 15 figures on one core).
"""
import multiprocessing
import sys

from .. import interrupts
from .catalogue import DECLARABLE, Scene, Task
from .overview import plot_overview


def _attempt(task):
    """Draw one figure of a (section, draw, args) task: its Figure, or None.
    A failure is one warning line, never a lost report."""
    section, draw, args = task
    try:
        return draw(*args)
    except Exception as error:            # noqa: BLE001 -- the report must still be written
        print(f"warning: could not draw a figure of {section} ({draw.__name__}): "
              f"{type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return None


def _declared(experiments, results, out):
    """({task key: Task} of every figure to draw, once each; {section: [task
    keys]} in report order): the overview, then each experiment's declared
    figures in its order."""
    tasks = {"overview": Task("overview", plot_overview, (results.rows(), out))}
    sections = {"overview": ["overview"]}
    scene = Scene(results, out, tuple(experiments))
    for experiment in experiments:
        for declared in experiment.figures:
            if declared not in DECLARABLE:
                raise ValueError(f"{experiment.name} declares the figure {declared!r}, which "
                                 "experiments/figures/catalogue.py does not define")
            for task in declared(experiment, scene):
                tasks.setdefault(task.key, task)
                sections.setdefault(experiment.name, []).append(task.key)
    return tasks, sections


def _draw(tasks, workers):
    """[Figure or None] for ``tasks`` [(section, draw, args)], in their order."""
    if workers == 1 or len(tasks) <= 1:
        return [_attempt(task) for task in tasks]
    # Fresh interpreters, as for the training runs (runner.py). Ctrl-C is the
    # parent's: leaving the ``with`` block stops the workers.
    context = multiprocessing.get_context("spawn")
    with interrupts.ignored_by_workers():
        pool = context.Pool(min(workers, len(tasks)))
    with pool:
        return pool.map(_attempt, tasks, chunksize=1)


def draw_all(experiments, results, out, workers=1):
    """Every figure the ``experiments`` (config.Experiment) declare, and the
    overview, from ``results`` (summary.Results) into the folder ``out``,
    drawn by ``workers`` processes (1: here): {section: [Figure]}."""
    tasks, sections = _declared(experiments, results, out)
    first_section = {key: name for name, keys in reversed(sections.items()) for key in keys}
    drawn = dict(zip(tasks, _draw([(first_section[key], task.draw, task.args)
                                   for key, task in tasks.items()], workers)))
    figures = {}
    for name, keys in sections.items():
        shown = [drawn[key] for key in keys if drawn[key] is not None]
        if shown:
            figures[name] = shown
    return figures
