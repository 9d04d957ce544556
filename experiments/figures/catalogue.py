"""The figures an experiment can declare (``Experiment.figures``), and
what each needs from the results.

An experiment script lists its figures in report order::

    EXPERIMENT = Experiment(..., figures=(learning_curves, sweep, weight_histograms))

Each declaration is a function ``(experiment, scene) -> [Task]``: the
figures to draw for that experiment (none when it has no results). A task's
``key`` names one figure file: a figure that several experiments declare
(the L1-vs-L2 weights) is drawn once and shown in each of their sections.
"""
from typing import Callable, NamedTuple

from ..selection import chosen
from ..summary import MissingResults
from .activations import plot_activations
from .compared import plot_compared
from .curves import plot_learning_curves
from .early_stopping import plot_early_stopping
from .filters import plot_filters
from .inside import MODELS, plot_gradient_norms, plot_preactivations
from .selection import plot_selection
from .weights import plot_sweep, plot_weight_histograms


class Scene(NamedTuple):
    """What the declarations draw from: the report's results, its folder,
    and every experiment of the report."""

    results: object          # summary.Results
    out: object              # pathlib.Path
    experiments: tuple       # config.Experiment


class Task(NamedTuple):
    """One figure to draw: ``draw(*args)`` returns its Figure (or None)."""

    key: str
    draw: Callable
    args: tuple


def _summaries(experiment, scene):
    """(framework, summary) of every framework the experiment ran in."""
    return [(framework, summary) for (name, framework), summary in scene.results.summaries.items()
            if name == experiment.name]


def _reference(results, experiment, framework):
    """The baseline's summary, drawn for reference (not in the baseline's own figure)."""
    if experiment == "baseline":
        return None
    try:
        return results.baseline(experiment, framework).data
    except MissingResults:
        return None


def learning_curves(experiment, scene):
    """Train/test accuracy and loss per epoch, one figure per framework."""
    return [Task(f"{experiment.name}/learning_curves/{framework}", plot_learning_curves,
                 (summary, scene.out, _reference(scene.results, experiment.name, framework)))
            for framework, summary in _summaries(experiment, scene)]


def sweep(experiment, scene):
    """Final accuracies and a weight statistic against the swept setting
    (``experiment.sweep_param``), one figure per framework."""
    if not experiment.sweep_param:
        raise ValueError(f"{experiment.name} declares a sweep figure but no sweep_param")
    return [Task(f"{experiment.name}/sweep/{framework}", plot_sweep,
                 (summary, experiment.sweep_param, experiment.sweep_metric, scene.out))
            for framework, summary in _summaries(experiment, scene)]


def _inside_models(results, experiment):
    """[(label, probes)] for the rows of the BatchNorm figures."""
    models = []
    for label, name in MODELS:
        try:
            config = (results.baseline(experiment) if name == "plain"
                      else results.get(experiment, name))
        except MissingResults:
            continue
        models.append((label, config.data.get("probes") or {}))
    return models


def preactivations(experiment, scene):
    """What each hidden ReLU receives, without BatchNorm, with the shared one and with four."""
    if not scene.results.has(experiment.name):
        return []
    models = _inside_models(scene.results, experiment.name)
    return [Task(f"{experiment.name}/preactivations", plot_preactivations, (models, scene.out))]


def gradient_norms(experiment, scene):
    """||dL/dW|| of each weight matrix over training, for the same three models."""
    if not scene.results.has(experiment.name):
        return []
    models = _inside_models(scene.results, experiment.name)
    return [Task(f"{experiment.name}/gradient_norms", plot_gradient_norms, (models, scene.out))]


def validation(experiment, scene):
    """Every seed's validation accuracy, with its stopping and best epochs."""
    if not scene.results.has(experiment.name):
        return []
    summary = scene.results.summaries[(experiment.name, "tinynet")]
    return [Task(f"{experiment.name}/validation", plot_early_stopping, (summary, scene.out))]


def weight_histograms(experiment, scene):
    """Histograms of the final weights per λ, for every penalty sweep that
    declares this figure: one figure, shown in each of their sections."""
    if not scene.results.has(experiment.name):
        return []
    sweeps = []
    for other in scene.experiments:
        if weight_histograms not in other.figures or not scene.results.has(other.name):
            continue
        kind = other.sweep_param
        try:
            configs = scene.results.configs(other.name)
        except MissingResults:                   # every seed diverged: no weights to show
            continue
        sweeps.append((kind, [(c.settings[kind], c.settings["lr"], c.data.get("probes") or {},
                               c.settings.get("l1_mode")) for c in configs]))
    return [Task("weight_histograms", plot_weight_histograms, (sweeps, scene.out))]


def compared(experiment, scene):
    """Every reported configuration's training loss and accuracy on one axis
    each, one figure per framework."""
    return [Task(f"{experiment.name}/compared/{framework}", plot_compared, (summary, scene.out))
            for framework, summary in _summaries(experiment, scene)]


def filters(experiment, scene):
    """The CNN's first-layer kernels before and after training (the tinynet runs)."""
    summary = scene.results.summaries.get((experiment.name, "tinynet"))
    cnn = next((c for c in (summary or {}).get("configs", {}).values()
                if c["settings"].get("model") == "cnn"), None)
    if cnn is None:
        return []
    return [Task(f"{experiment.name}/filters", plot_filters,
                 ((cnn.get("probes") or {}).get("filters"), scene.out))]


def activations(experiment, scene):
    """Each configuration's activation histograms per hidden layer at initialisation."""
    if not scene.results.has(experiment.name):
        return []
    rows = [(c.label, c.data.get("probes") or {}) for c in scene.results.all_configs(experiment.name)]
    return [Task(f"{experiment.name}/activations", plot_activations, (rows, scene.out))]


def lr_selection(experiment, scene):
    """The validation accuracy of every rate each choice chose among."""
    outcomes = [(o.choice.label, [(run.settings[o.choice.setting], score) for run, score in o.scored],
                 o.winner.settings[o.choice.setting] if o.winner else None)
                for o in chosen(scene.results, experiment)]
    if not any(scored for _, scored, _ in outcomes):
        return []
    return [Task(f"{experiment.name}/selection", plot_selection,
                 (outcomes, scene.out, experiment.name))]


DECLARABLE = (learning_curves, sweep, preactivations, gradient_norms, validation,
              weight_histograms, compared, filters, activations, lr_selection)
