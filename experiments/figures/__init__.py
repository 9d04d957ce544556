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
"""
import sys

from ..summary import MissingResults
from .curves import plot_learning_curves
from .early_stopping import plot_early_stopping
from .inside import MODELS, plot_gradient_norms, plot_preactivations
from .overview import plot_overview
from .weights import plot_sweep, plot_weight_histograms


def _attempt(figures, section, draw, *args):
    """Draw one figure; a failure is one warning line, never a lost report."""
    try:
        figure = draw(*args)
    except Exception as error:            # noqa: BLE001 -- the report must still be written
        print(f"warning: could not draw a figure of {section} ({draw.__name__}): "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return None
    if figure is not None:
        figures.setdefault(section, []).append(figure)
    return figure


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


def draw_all(experiments, results, out):
    """Every figure for ``experiments`` (config.Experiment) from ``results``
    (summary.Results) into the folder ``out``: {section: [Figure]}."""
    figures = {}
    _attempt(figures, "overview", plot_overview, results.rows(), out)
    for experiment in experiments:
        name = experiment.name
        for (summary_experiment, framework), summary in results.summaries.items():
            if summary_experiment != name:
                continue
            _attempt(figures, name, plot_learning_curves, summary, out,
                     _reference(results, name, framework))
            if experiment.sweep_param:
                _attempt(figures, name, plot_sweep, summary, experiment.sweep_param,
                         experiment.sweep_metric, out)
        if not results.has(name):
            continue
        if name == "batchnorm":
            models = _inside_models(results)
            _attempt(figures, name, plot_preactivations, models, out)
            _attempt(figures, name, plot_gradient_norms, models, out)
        if name == "early_stopping":
            _attempt(figures, name, plot_early_stopping, results.summaries[(name, "tinynet")], out)
    if any(results.has(kind) for kind in ("l1", "l2")):
        try:
            sweeps = _sweeps(results)
        except MissingResults:
            sweeps = []
        histogram = _attempt(figures, "l1_vs_l2", plot_weight_histograms, sweeps, out)
        if histogram is not None:
            figures.pop("l1_vs_l2")
            for kind in ("l1", "l2"):
                if results.has(kind):
                    figures.setdefault(kind, []).append(histogram)
    return figures
