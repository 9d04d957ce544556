"""The report's figures, drawn from the summaries in memory (matplotlib,
Agg backend; every PNG written atomically through experiments.storage).

:func:`draw_all` returns {section: [Figure]} -- section = an experiment's
name, or "overview" -- each Figure naming its file and one sentence of
what to see in it, for REPORT.md and REPORT.ko.md.

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
import signal
import sys

from ..summary import MissingResults
from .curves import plot_learning_curves
from .early_stopping import plot_early_stopping
from .inside import MODELS, plot_gradient_norms, plot_preactivations
from .overview import plot_overview
from .weights import plot_sweep, plot_weight_histograms


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


def _reference(results, experiment, framework):
    if experiment == "baseline":
        return None
    try:
        return results.baseline(experiment, framework).data
    except MissingResults:
        return None


def _inside_models(results):
    """[(label, probes)] for the rows of the BatchNorm figures."""
    models = []
    for label, name in MODELS:
        try:
            config = (results.baseline("batchnorm") if name == "plain"
                      else results.get("batchnorm", name))
        except MissingResults:
            continue
        models.append((label, config.data.get("probes") or {}))
    return models


def _sweeps(results):
    sweeps = []
    for kind in ("l1", "l2"):
        if results.has(kind):
            sweeps.append((kind, [(c.settings[kind], c.settings["lr"], c.data.get("probes") or {})
                                  for c in results.configs(kind)]))
    return sweeps


def _tasks(experiments, results, out):
    """Every figure for ``experiments``, in report order: [(section, draw, args)]."""
    tasks = [("overview", plot_overview, (results.rows(), out))]
    for experiment in experiments:
        name = experiment.name
        for (summary_experiment, framework), summary in results.summaries.items():
            if summary_experiment != name:
                continue
            tasks.append((name, plot_learning_curves,
                          (summary, out, _reference(results, name, framework))))
            if experiment.sweep_param:
                tasks.append((name, plot_sweep,
                              (summary, experiment.sweep_param, experiment.sweep_metric, out)))
        if not results.has(name):
            continue
        if name == "batchnorm":
            models = _inside_models(results)
            tasks += [(name, plot_preactivations, (models, out)),
                      (name, plot_gradient_norms, (models, out))]
        if name == "early_stopping":
            tasks.append((name, plot_early_stopping, (results.summaries[(name, "tinynet")], out)))
    if any(results.has(kind) for kind in ("l1", "l2")):
        try:
            sweeps = _sweeps(results)
        except MissingResults:
            sweeps = []
        tasks.append(("l1_vs_l2", plot_weight_histograms, (sweeps, out)))
    return tasks


def _draw(tasks, workers):
    """[Figure or None] for ``tasks``, in their order."""
    if workers == 1 or len(tasks) <= 1:
        return [_attempt(task) for task in tasks]
    # Fresh interpreters, as for the training runs (runner.py). Ctrl-C is the
    # parent's: leaving the ``with`` block stops the workers.
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(workers, len(tasks)), initializer=signal.signal,
                      initargs=(signal.SIGINT, signal.SIG_IGN)) as pool:
        return pool.map(_attempt, tasks, chunksize=1)


def draw_all(experiments, results, out, workers=1):
    """Every figure for ``experiments`` (config.Experiment) from ``results``
    (summary.Results) into the folder ``out``, drawn by ``workers``
    processes (1: here): {section: [Figure]}."""
    tasks = _tasks(experiments, results, out)
    figures = {}
    for (section, _, _), figure in zip(tasks, _draw(tasks, workers)):
        if figure is None:
            continue
        # One figure compares the L1 and L2 weights: it belongs to both sections.
        sections = [k for k in ("l1", "l2") if results.has(k)] if section == "l1_vs_l2" else [section]
        for name in sections:
            figures.setdefault(name, []).append(figure)
    return figures
