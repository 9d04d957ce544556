"""Seed records -> per-experiment summaries -> results for the findings.

* :func:`summarize` turns the seed records of one experiment and framework
  into its summary (written as ``summary.json`` / ``summary_torch.json``):
  per configuration the per-seed final numbers with mean/std/min/max over
  the seeds that did NOT diverge, the diverged seeds (epoch, last finite
  loss), every seed's history, and the probes aggregated over seeds.
  A configuration whose seeds all diverged has no statistics (``final``
  is empty), never NaN.
* :class:`Results` wraps the summaries in memory for the findings, the
  figures and the markdown: ``r.get("baseline", "lecture").test_acc`` is a
  :class:`stats.Stat` over the non-diverged seeds.
"""
import datetime
import importlib

import numpy as np

from .probe_summary import aggregate_probes
from .stats import Stat, describe_values

FRAMEWORKS = ("tinynet", "torch")
FRAMEWORK_NAMES = {"tinynet": "tinynet", "torch": "PyTorch"}
# Settings that do not change what the lecture's number was measured on.
_NOT_THE_SETUP = ("eval_every", "code", "results_version")
# The settings that must agree for another run to serve as the baseline.
SAME_SETUP = ("dataset", "train_size", "epochs", "optimizer", "lr", "batch_size", "momentum",
              "nesterov", "test_evaluation")
# The plain MLPs a configuration can be compared with, in order of preference.
BASELINES = (("baseline", "lecture"), ("l1", "l1_0"), ("l2", "l2_0"), ("cnn", "mlp"))


def summary_name(framework):
    return "summary.json" if framework == "tinynet" else f"summary_{framework}.json"


def lecture_number(config, settings):
    """The lecture's reported test accuracy, if the run used the lecture's setup."""
    if config.lecture_reported is None:
        return None
    declared = config.settings()
    same = all(declared.get(k) == settings.get(k) for k in set(declared) | set(settings)
               if k not in _NOT_THE_SETUP)
    return config.lecture_reported if same else None


def korean_label(experiment, config):
    """The configuration's label in Korean, from the experiment script's
    ``LABELS_KO`` (the English label when it has none)."""
    try:
        labels = importlib.import_module(f"{__package__}.{experiment.name}").LABELS_KO
    except (ImportError, AttributeError):
        return config.label
    return labels.get(config.name, config.label)


def _seconds_per_epoch(runs):
    """Per seed, the mean wall time of an epoch's training; None when a run
    did not record it (older code) or ran no epoch."""
    means = [float(np.mean(r["epoch_seconds"])) if r.get("epoch_seconds") else None for r in runs]
    return describe_values(means) if runs and None not in means else None


def summarize_config(config, runs, label_ko=None):
    """The summary entry of one configuration from its seed records."""
    diverged = [{"seed": r["seed"], **r["diverged"]} for r in runs if r.get("diverged")]
    finite = [r for r in runs if not r.get("diverged")]
    final_keys = [k for k in finite[0]["final"] if all(k in r["final"] for r in finite)] if finite else []
    settings = runs[0]["settings"]
    return {
        "label": config.label,
        "label_ko": label_ko or config.label,
        "settings": settings,
        "lecture_reported_test_acc": lecture_number(config, settings),
        "seeds": [r["seed"] for r in runs],
        "diverged": diverged,
        "statistics_over_seeds": [r["seed"] for r in finite],
        "final": {k: describe_values([float(r["final"][k]) for r in finite]) for k in final_keys},
        "compute_seconds": float(sum(r.get("seconds", 0.0) for r in runs)),
        "seconds_per_epoch": _seconds_per_epoch(finite),
        "history": [{"seed": r["seed"], "diverged": bool(r.get("diverged")), **r["history"]}
                    for r in runs],
        "probes": aggregate_probes([r.get("probes") for r in finite], [r["seed"] for r in finite]),
    }


def summarize(experiment, framework, records, seeds):
    """The summary of one experiment and framework (None when no seed of it
    is in ``records``, {(experiment, framework, config name, seed): record})."""
    configs, complete = {}, True
    for config in experiment.configs:
        runs = [records[key] for seed in seeds
                if (key := (experiment.name, framework, config.name, seed)) in records]
        complete &= len(runs) == len(seeds)
        if runs:
            configs[config.name] = summarize_config(config, runs, korean_label(experiment, config))
    if not configs:
        return None
    return {
        "experiment": experiment.name, "title": experiment.title,
        "question": experiment.question, "framework": framework,
        "complete": complete, "seeds_requested": list(seeds),
        "generated": datetime.datetime.now().isoformat(timespec="seconds"),
        "std": "sample standard deviation over the seeds that did not diverge (ddof=1)",
        "configs": configs,
    }


# --------------------------------------------------------------------------
# Access for findings, figures and markdown
# --------------------------------------------------------------------------
class MissingResults(Exception):
    """A finding needs results that are not there (not run, or every seed diverged)."""


class ConfigResult:
    """One configuration's results: ``r.test_acc`` etc. are Stats over the
    seeds that did not diverge."""

    def __init__(self, experiment, name, data):
        self.experiment, self.name, self.data = experiment, name, data
        self.label = data["label"]
        self.label_ko = data.get("label_ko", self.label)
        self.settings = data["settings"]
        self.lecture_reported = data.get("lecture_reported_test_acc")
        self.diverged = data.get("diverged", [])
        self.n = len(data.get("statistics_over_seeds", data["seeds"]))
        self.seeds = len(data["seeds"])

    @property
    def usable(self):
        """At least one seed did not diverge: there are statistics."""
        return self.n > 0

    def __getattr__(self, key):
        if key.startswith("__"):     # Python's own hooks (pickle asks for __setstate__): no result
            raise AttributeError(key)
        data = self.__dict__.get("data", {})
        if key in data.get("final", {}):
            return Stat(data["final"][key]["per_seed"])
        if data and not data.get("final"):
            raise MissingResults(f"{self.experiment}/{self.name}: every seed diverged, "
                                 "so it has no statistics")
        raise AttributeError(f"{self.experiment}/{self.name} has no result {key!r}")

    def curve(self, key, x_key="epoch"):
        """(epochs, mean over the non-diverged seeds) of a history series,
        on the epochs every such seed recorded."""
        histories = [h for h in self.data["history"] if not h.get("diverged") and h.get(key)]
        if not histories:
            return np.array([]), np.array([])
        common = sorted(set.intersection(*(set(h[x_key]) for h in histories)))
        values = np.array([[h[key][h[x_key].index(e)] for e in common] for h in histories])
        return np.array(common), values.mean(axis=0)

    @property
    def gap(self):
        """Train minus test accuracy, per seed."""
        return Stat(self.train_acc.values - self.test_acc.values)

    @property
    def selection(self):
        """A selection run: trained and measured on the validation images
        only, never on the test set (test_evaluation "never")."""
        return self.settings.get("test_evaluation") == "never"

    @property
    def seconds_per_epoch(self):
        """Stat of the per-seed mean training time of an epoch, or None."""
        timing = self.data.get("seconds_per_epoch")
        return Stat(timing["per_seed"]) if timing else None


class Results:
    """The summaries of one report, in memory: {(experiment, framework): summary}."""

    def __init__(self, summaries):
        self.summaries = {k: v for k, v in summaries.items() if v}

    def has(self, experiment, framework="tinynet"):
        return (experiment, framework) in self.summaries

    def all_configs(self, experiment, framework="tinynet"):
        """Every configuration that ran, diverged or not."""
        summary = self.summaries.get((experiment, framework))
        if not summary:
            raise MissingResults(f"{experiment} ({framework}) was not run")
        return [ConfigResult(experiment, n, d) for n, d in summary["configs"].items()]

    def configs(self, experiment, framework="tinynet"):
        """The configurations with statistics (at least one seed did not diverge)."""
        usable = [c for c in self.all_configs(experiment, framework) if c.usable]
        if not usable:
            raise MissingResults(f"{experiment} ({framework}): every seed of every "
                                 "configuration diverged")
        return usable

    def get(self, experiment, config, framework="tinynet"):
        for result in self.all_configs(experiment, framework):
            if result.name == config:
                if not result.usable:
                    raise MissingResults(f"{experiment}/{config}: every seed diverged")
                return result
        raise MissingResults(f"{experiment}/{config} ({framework}) was not run")

    def baseline(self, experiment, framework="tinynet", settings=None):
        """The plain MLP to compare ``experiment`` with: the baseline, or an
        identical run (L1/L2 at λ = 0), with the same data, epochs and optimiser
        as ``settings`` (default: the experiment's last configuration's)."""
        mine = settings or self.all_configs(experiment, framework)[-1].settings
        for name, config in BASELINES:
            try:
                base = self.get(name, config, framework)
            except MissingResults:
                continue
            if all(base.settings.get(k) == mine.get(k) for k in SAME_SETUP):
                return base
        raise MissingResults(f"the baseline ({framework}) with the same data, training-set size, "
                             f"epochs and optimiser as {experiment}")

    def diverged(self):
        """[(experiment, framework, ConfigResult)] of configurations with a diverged seed."""
        return [(e, f, c) for (e, f) in self.summaries for c in self.all_configs(e, f) if c.diverged]

    def rows(self):
        """Table rows in experiment order: [{framework: ConfigResult}] with
        ``.experiment``, ``.name``, ``.label``, ``.lecture_reported``; a
        PyTorch result is shown only when its settings match tinynet's.
        Selection runs (no test numbers) have no row."""
        rows = []
        for experiment in dict.fromkeys(e for e, _ in self.summaries):
            by_name = {}
            for framework in FRAMEWORKS:
                if not self.has(experiment, framework):
                    continue
                for result in self.all_configs(experiment, framework):
                    if result.selection:          # no test numbers: shown in its own section
                        continue
                    row = by_name.setdefault(result.name, Row(experiment, result))
                    row[framework] = result
            for row in by_name.values():
                tiny, other = row.get("tinynet"), row.get("torch")
                if tiny and other and other.settings != tiny.settings:
                    row.pop("torch")               # different settings: not comparable
                    row.mismatch = True
                rows.append(row)
        return rows


class Row(dict):
    """One configuration of the report table: {framework: ConfigResult}."""

    mismatch = False

    def __init__(self, experiment, result):
        super().__init__()
        self.experiment, self.name, self.label = experiment, result.name, result.label
        self.label_ko = result.label_ko
        self.lecture_reported = result.lecture_reported
