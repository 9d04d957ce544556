"""Summaries, figures and REPORT.md, computed from the stored runs.

* :func:`summarize` turns the per-seed records of one experiment into its
  ``summary.json`` (``summary_torch.json`` for PyTorch runs): per
  configuration the per-seed final numbers with mean/std/min/max, and every
  seed's per-epoch history.
* :func:`plot_learning_curves` / :func:`plot_sweep` / :func:`plot_overview`
  draw the PNG figures (matplotlib, Agg backend: no display needed).
* :class:`Results` gives the experiment scripts' ``findings`` functions
  convenient access to the numbers, and :func:`write_report` writes
  ``REPORT.md`` from every summary on disk.

"std" is always the sample standard deviation over seeds (ddof=1), and
"a ± b points" for a difference of two means is the difference with its
standard error, sqrt(se1^2 + se2^2).
"""
import datetime
import json
import math
from pathlib import Path

import numpy as np

FRAMEWORKS = ("tinynet", "torch")
FRAMEWORK_NAMES = {"tinynet": "tinynet", "torch": "PyTorch"}


def summary_name(framework):
    return "summary.json" if framework == "tinynet" else f"summary_{framework}.json"


def figure_suffix(framework):
    return "" if framework == "tinynet" else f"_{framework}"


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------
def describe_values(values):
    """per-seed values with mean, sample std, min and max."""
    a = np.asarray(values, dtype=np.float64)
    return {"per_seed": [float(v) for v in a], "mean": float(a.mean()),
            "std": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
            "min": float(a.min()), "max": float(a.max())}


class Diff:
    """A difference of two means (in accuracy units) with its standard error."""

    def __init__(self, value, se):
        self.value, self.se = value, se

    def points(self):
        """'+2.9 ± 0.8 points' (percentage points)."""
        return f"{100 * self.value:+.1f} ± {100 * self.se:.1f} points"

    @property
    def clear(self):
        """True when the difference is more than twice its standard error."""
        return abs(self.value) > 2 * self.se

    def verb(self, what="test accuracy"):
        """'raised test accuracy by 2.9 ± 0.8 points', 'lowered ...', or --
        within two standard errors of 0 -- 'left test accuracy unchanged'."""
        if self.se == 0:          # e.g. a single seed: nothing to judge the size by
            return f"changed {what} by {100 * self.value:+.1f} points (no spread to compare with)"
        if not self.clear:
            return f"left {what} unchanged within noise ({self.points()})"
        word = "raised" if self.value > 0 else "lowered"
        return f"{word} {what} by {100 * abs(self.value):.1f} ± {100 * self.se:.1f} points"


class Stat:
    """Per-seed values of one metric, with the usual summaries."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=np.float64)

    n = property(lambda self: len(self.values))
    mean = property(lambda self: float(self.values.mean()))
    std = property(lambda self: float(self.values.std(ddof=1)) if self.n > 1 else 0.0)
    min = property(lambda self: float(self.values.min()))
    max = property(lambda self: float(self.values.max()))
    se = property(lambda self: self.std / math.sqrt(self.n))

    def __sub__(self, other):
        return Diff(self.mean - other.mean, math.sqrt(self.se ** 2 + other.se ** 2))

    def acc(self):
        """'0.7637 ± 0.0123'."""
        return f"{self.mean:.4f} ± {self.std:.4f}"

    def points(self):
        """'76.4 ± 1.2 points' (for accuracy differences such as the gap)."""
        return f"{100 * self.mean:.1f} ± {100 * self.std:.1f} points"


# --------------------------------------------------------------------------
# summary.json
# --------------------------------------------------------------------------
def summarize(experiment, framework, configs, records, seeds, complete=True):
    """The summary of one experiment and framework.

    ``configs``: its RunConfigs (with command-line overrides applied);
    ``records``: {(experiment, framework, config name, seed): record} from
    the runner, possibly with other experiments' records too.
    """
    out = {
        "experiment": experiment.name, "title": experiment.title,
        "question": experiment.question, "framework": framework,
        "complete": complete, "seeds_requested": list(seeds),
        "generated": datetime.datetime.now().isoformat(timespec="seconds"),
        "std": "sample standard deviation over seeds (ddof=1)",
        "configs": {},
    }
    for config in configs:
        runs = [records[key] for seed in seeds
                if (key := (experiment.name, framework, config.name, seed)) in records]
        if not runs:
            continue
        final_keys = [k for k in runs[0]["final"] if all(k in r["final"] for r in runs)]
        out["configs"][config.name] = {
            "label": config.label,
            "settings": config.settings(),
            "lecture_reported_test_acc": config.lecture_reported,
            "seeds": [r["seed"] for r in runs],
            "final": {k: describe_values([float(r["final"][k]) for r in runs]) for k in final_keys},
            "compute_seconds": float(sum(r["seconds"] for r in runs)),
            "history": [{"seed": r["seed"], **r["history"]} for r in runs],
        }
    return out


def write_experiment_outputs(experiment, framework, summary, out, plots=True):
    """summary(.json|_torch.json) and (with ``plots``) the figures of one experiment."""
    folder = Path(out) / experiment.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / summary_name(framework)).write_text(json.dumps(summary, indent=1))
    if not plots or not summary["configs"]:
        return
    suffix = figure_suffix(framework)
    reference = None if experiment.name == "baseline" else baseline_reference(out, framework, summary)
    plot_learning_curves(summary, folder / f"learning_curves{suffix}.png", reference)
    if experiment.sweep_param:
        plot_sweep(summary, experiment.sweep_param, experiment.sweep_metric,
                   folder / f"sweep{suffix}.png")


def baseline_reference(out, framework, summary):
    """The baseline's summary entry, to draw for comparison in another
    experiment's figure -- if it was run on the same data, training-set size
    and number of epochs."""
    try:
        baseline = json.loads((Path(out) / "baseline" / summary_name(framework)).read_text())
        entry = next(iter(baseline["configs"].values()))
    except (OSError, ValueError, StopIteration, KeyError):
        return None
    mine = [c["settings"] for c in summary["configs"].values()]
    same = (all(entry["settings"][k] == mine[0][k] for k in ("dataset", "train_size"))
            and entry["settings"]["epochs"] == max(s["epochs"] for s in mine))
    return entry if same else None


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------
def _pyplot():
    import matplotlib
    matplotlib.use("Agg")          # files only, no display
    import matplotlib.pyplot as plt
    return plt


def _curve(histories, x_key, y_key):
    """(x, mean, low, high) over seeds of one history series, where low/high
    are the min/max over seeds.

    Early-stopped seeds stop contributing after their last epoch. An epoch
    is plotted only if every seed still training at that epoch has a value
    there -- which drops the off-schedule test evaluations made at each
    seed's own stopping epoch.
    """
    histories = [h for h in histories if h.get(y_key)]
    xs = sorted({x for h in histories for x in h[x_key]})
    if not xs:
        return None
    index = {x: i for i, x in enumerate(xs)}
    grid = np.full((len(histories), len(xs)), np.nan)
    for row, h in enumerate(histories):
        for x, y in zip(h[x_key], h[y_key]):
            grid[row, index[x]] = y
    last_epochs = np.array([h["epoch"][-1] for h in histories])
    running = (last_epochs[:, None] >= np.asarray(xs)[None, :]).sum(axis=0)
    keep = (~np.isnan(grid)).sum(axis=0) == running
    grid = grid[:, keep]
    return (np.asarray(xs)[keep], np.nanmean(grid, axis=0),
            np.nanmin(grid, axis=0), np.nanmax(grid, axis=0))


def _zoomed_limits(curves, extra=(), skip_fraction=0.1, margin=0.02):
    """Accuracy y-limits that show the later epochs' differences: the first
    ~10% of epochs (where accuracy climbs from chance) may fall below.
    ``extra`` values (reference lines) are kept inside."""
    lows, highs = list(extra), list(extra)
    for x, _, low, high in curves:
        late = x >= x.max() * skip_fraction
        lows.append(np.min(low[late]))
        highs.append(np.max(high[late]))
    if not lows:
        return None
    return max(0.0, min(lows) - margin), min(1.0, max(highs) + margin) + 0.005


def _log_axis(ax, ticker):
    """Log-scale y axis with plain tick labels (0.5, 1, 2), denser when the
    range spans few decades."""
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = math.log10(high / low)
    subs = (1, 1.5, 2, 3, 5, 7) if decades < 1.2 else (1, 2, 5) if decades < 5 else (1,)
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())


# The four panels of a learning-curve figure: (history key, x key, title).
def _panels(train_size):
    return {
        (0, 0): ("train_acc", "epoch", f"Train accuracy ({train_size} training images)"),
        (0, 1): ("test_acc", "eval_epoch", "Test accuracy (10,000 test images; y-axis zoomed)"),
        (1, 0): ("train_loss", "epoch", "Training loss (mean mini-batch cross-entropy)"),
        (1, 1): ("test_loss", "eval_epoch", "Test loss (cross-entropy)"),
    }


def _draw_config(axes, panels, cfg, color):
    """One configuration's mean curves and min-max bands in every panel, plus
    its markers in the test-accuracy panel; returns its test-accuracy curve."""
    histories = cfg["history"]
    test_curve = None
    for pos, (key, x_key, _) in panels.items():
        curve = _curve(histories, x_key, key)
        if curve is None:
            continue
        x, mean, low, high = curve
        axes[pos].plot(x, mean, color=color, lw=1.8, marker="." if x_key == "eval_epoch" else None,
                       label=f"{cfg['label']} ({len(histories)} seeds)" if pos == (0, 0) else None)
        axes[pos].fill_between(x, low, high, color=color, alpha=0.18, lw=0)
        if key == "test_acc":
            test_curve = curve
    test_ax = axes[0, 1]
    val = _curve(histories, "epoch", "val_acc")
    if val is not None:                           # early stopping: validation accuracy too
        test_ax.plot(val[0], val[1], color=color, lw=1.2, ls=":",
                     label=f"{cfg['label']}: validation accuracy")
    if "best_epoch" in cfg["final"]:
        best = cfg["final"]["best_epoch"]["mean"]
        for ax in axes.flat:
            ax.axvline(best, color=color, ls="--", lw=1)
        test_ax.plot([], [], color=color, ls="--", label=f"mean best epoch ({best:.0f})")
    reported = cfg.get("lecture_reported_test_acc")
    if reported is not None:
        test_ax.axhline(reported, color=color, ls=(0, (1, 2)), lw=1.5)
        test_ax.plot([], [], color=color, ls=(0, (1, 2)), label=f"lecture reported {reported:.4f}")
    return test_curve


def plot_learning_curves(summary, path, reference=None):
    """2x2 panels -- train / test accuracy, training / test loss per epoch --
    for every configuration: mean over seeds, band = min..max over seeds.
    ``reference`` (the baseline's summary entry) is drawn as a grey line."""
    plt = _pyplot()
    from matplotlib import ticker
    configs = list(summary["configs"].values())
    fig, axes = plt.subplots(2, 2, figsize=(13, 9), sharex=True)
    panels = _panels(configs[0]["settings"]["train_size"])
    test_curves, reported = [], [c["lecture_reported_test_acc"] for c in configs
                                 if c.get("lecture_reported_test_acc") is not None]
    if reference is not None:
        for pos, (key, x_key, _) in panels.items():
            curve = _curve(reference["history"], x_key, key)
            if curve is not None:
                axes[pos].plot(curve[0], curve[1], color="0.45", lw=1.6, ls="--",
                               label=f"{reference['label']}, for reference" if pos == (0, 0) else None)
                if key == "test_acc":
                    test_curves.append(curve)
    colors = plt.get_cmap("tab10").colors
    for i, cfg in enumerate(configs):
        curve = _draw_config(axes, panels, cfg, colors[i % len(colors)])
        if curve is not None:
            test_curves.append(curve)

    for pos, (key, _, title) in panels.items():
        ax = axes[pos]
        ax.set_title(title, fontsize=12)
        ax.grid(alpha=0.3)
        if key.endswith("loss"):
            _log_axis(ax, ticker)
            ax.set_ylabel("cross-entropy (log scale)")
        else:
            ax.set_ylabel("accuracy")
        if pos[0] == 1:
            ax.set_xlabel("epoch")
    limits = _zoomed_limits(test_curves, reported)
    if limits:
        axes[0, 1].set_ylim(*limits)
    if axes[0, 1].get_legend_handles_labels()[0]:
        axes[0, 1].legend(fontsize=9, loc="lower right")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), fontsize=10,
               frameon=False)
    framework = FRAMEWORK_NAMES.get(summary["framework"], summary["framework"])
    fig.suptitle(f"{summary['title']} ({framework}): mean over seeds, band = min-max over seeds",
                 fontsize=14)
    legend_rows = math.ceil(len(labels) / 3)
    fig.tight_layout(rect=(0, 0.03 + 0.035 * legend_rows, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_sweep(summary, param, metric, path):
    """Final train/test accuracy (left) and a weight statistic (right)
    against the swept hyper-parameter: mean, bars = min..max over seeds."""
    plt = _pyplot()
    metric_key, metric_label, metric_scale = metric
    configs = list(summary["configs"].values())
    x = np.arange(len(configs))

    def draw(ax, key, scale=1, **style):
        stats = [c["final"][key] for c in configs]
        mean = np.array([scale * s["mean"] for s in stats])
        spread = [mean - [scale * s["min"] for s in stats], [scale * s["max"] for s in stats] - mean]
        ax.errorbar(x, mean, yerr=spread, marker="o", capsize=4, **style)

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    draw(left, "train_acc", color="tab:blue", label="train accuracy")
    draw(left, "test_acc", color="tab:orange", label="test accuracy")
    left.set_ylabel("accuracy after the last epoch")
    left.set_title("Train and test accuracy: the gap between them is the overfitting", fontsize=12)
    left.legend()
    draw(right, metric_key, metric_scale, color="tab:green")
    right.set_ylabel(metric_label)
    right.set_title(metric_label, fontsize=12)
    for ax in (left, right):
        ax.set_xticks(x, [f"{c['settings'][param]:g}" for c in configs])
        ax.set_xlabel(f"λ ({param} penalty strength)")
        ax.grid(alpha=0.3)
    framework = FRAMEWORK_NAMES.get(summary["framework"], summary["framework"])
    fig.suptitle(f"{summary['title']} ({framework}): mean over seeds, bars = min-max over seeds",
                 fontsize=14)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_overview(results, path):
    """Every configuration's test accuracy: tinynet and PyTorch (mean ± std)
    next to the lecture's reported number."""
    plt = _pyplot()
    rows = results.rows()
    if not rows:
        return False
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(rows) + 1.8))
    y = np.arange(len(rows))[::-1]
    styles = {"tinynet": ("tab:blue", -0.15), "torch": ("tab:orange", 0.15)}
    for framework, (color, offset) in styles.items():
        pts = [(yy, r[framework].test_acc) for yy, r in zip(y, rows) if r.get(framework)]
        if pts:
            ax.errorbar([s.mean for _, s in pts], [yy + offset for yy, _ in pts],
                        xerr=[s.std for _, s in pts], fmt="o", capsize=3, color=color,
                        label=f"{FRAMEWORK_NAMES[framework]} (mean ± std)")
    reported = [(yy, r.lecture_reported) for yy, r in zip(y, rows) if r.lecture_reported]
    if reported:
        ax.plot([v for _, v in reported], [yy for yy, _ in reported], "kx", ms=9,
                label="lecture's reported number")
    ax.set_yticks(y, [f"{r.experiment}: {r.label}" for r in rows])
    ax.set_xlabel("test accuracy (10,000 test images, proper evaluation)")
    ax.set_title("Test accuracy of every configuration", fontsize=13)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="lower left", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


# --------------------------------------------------------------------------
# Access to results, for findings
# --------------------------------------------------------------------------
class MissingResults(Exception):
    """A finding needs the results of an experiment that has not been run."""


class ConfigResult:
    """One configuration's results: ``r.test_acc`` etc. are Stats over seeds."""

    def __init__(self, experiment, name, data):
        self.experiment, self.name, self.data = experiment, name, data
        self.label = data["label"]
        self.settings = data["settings"]
        self.lecture_reported = data.get("lecture_reported_test_acc")
        self.n = len(data["seeds"])

    def __getattr__(self, key):
        final = self.__dict__.get("data", {}).get("final", {})
        if key in final:
            return Stat(final[key]["per_seed"])
        raise AttributeError(f"{self.experiment}/{self.name} has no result {key!r}")

    def curve(self, key, x_key="epoch"):
        """(x, mean over seeds) of a history series, e.g. curve("test_acc", "eval_epoch")."""
        x, mean, _, _ = _curve(self.data["history"], x_key, key)
        return x, mean

    @property
    def gap(self):
        """Train minus test accuracy, per seed."""
        return Stat(self.train_acc.values - self.test_acc.values)


class Row(dict):
    """One configuration of the report table: {framework: ConfigResult}."""

    def __init__(self, experiment, name, label, lecture_reported):
        super().__init__()
        self.experiment, self.name, self.label = experiment, name, label
        self.lecture_reported = lecture_reported


class Results:
    """Every summary under one results folder, for findings and the report."""

    def __init__(self, summaries):
        self.summaries = summaries          # {(experiment, framework): summary}

    @classmethod
    def load(cls, out, names):
        summaries = {}
        for name in names:
            for framework in FRAMEWORKS:
                path = Path(out) / name / summary_name(framework)
                try:
                    summaries[(name, framework)] = json.loads(path.read_text())
                except (OSError, ValueError):
                    pass
        return cls(summaries)

    def has(self, experiment, framework="tinynet"):
        return bool(self.summaries.get((experiment, framework), {}).get("configs"))

    def configs(self, experiment, framework="tinynet"):
        summary = self.summaries.get((experiment, framework))
        if not summary:
            raise MissingResults(f"{experiment} ({framework})")
        return [ConfigResult(experiment, n, d) for n, d in summary["configs"].items()]

    def get(self, experiment, config, framework="tinynet"):
        for result in self.configs(experiment, framework):
            if result.name == config:
                return result
        raise MissingResults(f"{experiment}/{config} ({framework})")

    def baseline(self, experiment, framework="tinynet"):
        """The baseline to compare ``experiment`` with -- only if it was run on
        the same data set, training-set size and number of epochs."""
        base = self.get("baseline", "lecture", framework)
        mine = self.configs(experiment, framework)[-1].settings
        if any(base.settings[k] != mine[k] for k in ("dataset", "train_size", "epochs")):
            raise MissingResults(f"baseline ({framework}) with the same data, training-set size "
                                 f"and epochs as {experiment}")
        return base

    def compute_seconds(self):
        """Training time of every distinct stored run (by settings and framework)."""
        distinct = {}
        for (_, framework), summary in self.summaries.items():
            for config in summary["configs"].values():
                key = (framework, json.dumps(config["settings"], sort_keys=True))
                distinct[key] = max(distinct.get(key, 0.0), config["compute_seconds"])
        return sum(distinct.values())

    def rows(self):
        """Table rows in experiment order, torch shown only with matching settings."""
        rows = []
        experiments = list(dict.fromkeys(e for e, _ in self.summaries))
        for experiment in experiments:
            by_name = {}
            for framework in FRAMEWORKS:
                if not self.has(experiment, framework):
                    continue
                for result in self.configs(experiment, framework):
                    row = by_name.setdefault(result.name, Row(experiment, result.name, result.label,
                                                              result.lecture_reported))
                    row[framework] = result
            for row in by_name.values():
                base = row.get("tinynet")
                for framework in FRAMEWORKS[1:]:
                    other = row.get(framework)
                    if base and other and other.settings != base.settings:
                        row.pop(framework)     # different settings: not comparable
                        row.mismatch = True
                rows.append(row)
        return rows


# --------------------------------------------------------------------------
# REPORT.md
# --------------------------------------------------------------------------
def _cell(stat):
    return stat.acc() if stat is not None else "—"


def table(results):
    """The markdown table of every experiment and configuration."""
    lines = [
        "| Experiment | Configuration | Seeds | Train acc | Test acc | Test acc, lecture's evaluation "
        "| PyTorch test acc | Lecture reported |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results.rows():
        tiny, torch = row.get("tinynet"), row.get("torch")
        main = tiny or torch
        torch_cell = _cell(torch.test_acc) if torch else (
            "(other settings)" if getattr(row, "mismatch", False) else "—")
        reported = f"{row.lecture_reported:.4f}" if row.lecture_reported else "—"
        lines.append(
            f"| {row.experiment} | {row.label} | {main.n} | {_cell(main.train_acc) if tiny else '—'} "
            f"| {_cell(tiny.test_acc) if tiny else '—'} "
            f"| {_cell(tiny.lecture_eval_test_acc) if tiny else '—'} | {torch_cell} | {reported} |")
    return "\n".join(lines)


def framework_findings(results):
    """How far apart tinynet and PyTorch land, computed over all rows."""
    pairs = [(row, row["tinynet"].test_acc - row["torch"].test_acc)
             for row in results.rows() if "tinynet" in row and "torch" in row]
    if not pairs:
        return ["No PyTorch runs with matching settings yet: run "
                "`python -m experiments --framework torch` (or `--framework both`)."]
    diffs = np.array([d.value for _, d in pairs])
    worst_row, worst = max(pairs, key=lambda p: abs(p[1].value))
    within = sum(not d.clear for _, d in pairs)
    return [
        f"Over {len(pairs)} configurations run in both frameworks, mean test accuracies differ "
        f"by {100 * np.mean(np.abs(diffs)):.2f} points on average (largest: "
        f"{worst_row.experiment}/{worst_row.label}, tinynet − PyTorch = {worst.points()}).",
        f"{within} of {len(pairs)} differences are within two standard errors of zero, i.e. "
        "indistinguishable from seed-to-seed noise.",
    ]


def lecture_findings(results):
    """For every configuration with a number from the lecture: which of our
    two evaluations reproduces it, judged by the range over our seeds."""
    lines = []
    for row in results.rows():
        ours = row.get("tinynet")
        if not (row.lecture_reported and ours):
            continue
        reported = row.lecture_reported
        inside = [name for name, stat in (("the proper evaluation", ours.test_acc),
                                          ("the lecture's evaluation", ours.lecture_eval_test_acc))
                  if stat.min <= reported <= stat.max]
        verdict = (" and ".join(inside) + (" reproduce" if len(inside) == 2 else " reproduces")
                   + " it (it lies within our seeds' range)") if inside else \
            "neither of our evaluations reaches it in any seed"
        lines.append(f"{row.experiment} / {row.label}: the lecture reports {reported:.4f}; we "
                     f"measure {ours.test_acc.acc()} properly and "
                     f"{ours.lecture_eval_test_acc.acc()} the lecture's way: {verdict}.")
    return lines or ["No configuration with a number from the lecture has been run with the "
                     "lecture's settings."]


def _experiment_findings(experiment, results):
    if experiment.findings is None:
        return []
    try:
        return list(experiment.findings(results))
    except MissingResults as missing:
        return [f"(Findings need results that are not there yet: {missing}. "
                f"Run `python -m experiments` to produce every experiment.)"]


def _settings_line(results, experiment):
    for framework in FRAMEWORKS:
        if results.has(experiment.name, framework):
            configs = results.configs(experiment.name, framework)
            s = configs[0].settings
            epochs = sorted({c.settings["epochs"] for c in configs})
            seeds = sorted({c.n for c in configs})
            return (f"{s['dataset']}, {s['train_size']} training images, "
                    f"{'/'.join(map(str, epochs))} epochs, {'/'.join(map(str, seeds))} seeds, "
                    f"test set evaluated every {s['eval_every']} epochs (and after the last).")
    return "not run yet."


def write_report(out, experiments, last_run=None):
    """results/REPORT.md (and results/overview.png) from every summary on disk.

    ``last_run`` = (wall seconds, results computed, results reused) of the
    command that writes the report, if it ran any."""
    out = Path(out)
    results = Results.load(out, [e.name for e in experiments])
    lines = [
        "# tinynet overfitting lab: results",
        "",
        f"Generated {datetime.datetime.now():%Y-%m-%d %H:%M} by `python -m experiments` from "
        "the summaries in this folder; every number below is computed from them.",
        "",
        "**How to read it.** Each configuration is trained once per seed; the table gives "
        "mean ± sample standard deviation over the seeds. *Test acc* is the proper evaluation: "
        "`model.eval()` (BatchNorm uses its running statistics, dropout is off) and test pixels "
        "scaled to [0, 1] like the training pixels. *Lecture's evaluation* repeats the lecture's "
        "flawed test: raw 0..255 pixels and the model left in training mode (BatchNorm "
        "normalises with the statistics of the 10,000-image test batch, dropout stays on). "
        "*Lecture reported* is the single number the lecture printed for the same setup. "
        "Differences are given as ± their standard error; a difference within two standard "
        "errors is called noise.",
        "",
        "## All experiments",
        "",
        table(results),
        "",
    ]
    if plot_overview(results, out / "overview.png"):
        lines += ["![Test accuracy of every configuration](overview.png)", ""]
    lines += ["## The lecture's numbers and ours", ""]
    lines += [f"- {f}" for f in lecture_findings(results)] + [""]
    lines += ["## tinynet and PyTorch", ""]
    lines += [f"- {f}" for f in framework_findings(results)]
    lines += ["", "Both frameworks see the same batches in the same order and start from the same "
              "initial weights; dropout/DropConnect masks come from each framework's own "
              "generator, so stochastic models follow different random paths.", ""]
    for experiment in experiments:
        lines += [f"## {experiment.title}", "", f"*{experiment.question}*", "",
                  f"Setup: {_settings_line(results, experiment)}", ""]
        folder = out / experiment.name
        for name, caption in (("learning_curves", "learning curves"), ("sweep", "sweep")):
            if (folder / f"{name}.png").exists():
                lines += [f"![{experiment.title}: {caption}]({experiment.name}/{name}.png)", ""]
            if (folder / f"{name}_torch.png").exists():
                lines += [f"PyTorch {caption}: [{experiment.name}/{name}_torch.png]"
                          f"({experiment.name}/{name}_torch.png)", ""]
        lines += [f"- {f}" for f in _experiment_findings(experiment, results)] + [""]
    compute = results.compute_seconds()
    lines += ["## Method notes", "",
              "- Training loss per epoch is the mean cross-entropy over the epoch's mini-batches "
              "(the lecture prints one batch's loss); the penalty term of L1/L2 runs is recorded "
              "separately, at the end of each epoch.",
              "- Train accuracy is measured on the original training images (without augmentation) "
              "in eval mode after every epoch.",
              "- A pass over the 10,000 test images costs as much as ~170 training steps (30 ms vs "
              "0.18 ms on one core), so "
              "the test set is evaluated after epoch 1, every `--eval-every` epochs and after the "
              "last epoch; the final numbers are always from the last epoch (for early stopping: "
              "from the restored best epoch).",
              f"- Compute time of all stored runs: {compute / 60:.1f} min (one core; a run "
              "shared by two experiments, like the baseline and λ = 0, counted once)."]
    if last_run is not None:
        wall, trained, reused = last_run
        lines.append(f"- The command that wrote this report took {wall / 60:.1f} min of wall time: "
                     f"{trained} (configuration, seed) results computed by it, {reused} reused "
                     "from earlier commands.")
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")
    return out / "REPORT.md"
