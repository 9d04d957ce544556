"""The lab's report: one entry point, :func:`write_all`, called by the CLI.

One data flow, in memory::

    seed records --summary.summarize--> summaries --> figures/ (PNG)
                                                 \\-> markdown  (REPORT.md, REPORT.ko.md)

Disk is only for resuming: the summaries are written for the reader and
never read back here (``--report-only`` reloads the SEED records and calls
``write_all`` again, so a corrupt summary.json is simply rebuilt). Every
file goes through experiments.storage (atomic writes).

    stats.py        Stat, Diff (THE comparison rule)
    report_text.py  the report's words: numbers and verdicts in English and Korean
    summary.py      seed records -> summaries (divergence-aware); Results for findings
    findings.py     findings across experiments (divergence, the lecture, PyTorch)
    figures/        the figures each experiment declares, and the overview
    markdown.py     REPORT.md and REPORT.ko.md
    probes.py       what the figures need from inside a run (called by train.run)
"""
from pathlib import Path

from . import EXPERIMENT_NAMES, markdown
from .figures import draw_all
from .storage import atomic_write_text, write_json
from .summary import Results, summarize, summary_name


def summarize_all(experiments, frameworks, records, seeds):
    """{(experiment name, framework): summary} of everything in ``records``."""
    summaries = {}
    for experiment in experiments:
        for framework in frameworks:
            summary = summarize(experiment, framework, records, seeds)
            if summary is not None:
                summaries[(experiment.name, framework)] = summary
    return summaries


def write_all(experiments, frameworks, records, seeds, out, command, plots=True, workers=1):
    """Summaries, figures, REPORT.md and REPORT.ko.md of ``experiments``.

    ``experiments``: the config.Experiment objects requested; ``frameworks``:
    e.g. ["tinynet"] or ["tinynet", "torch"]; ``records``: {(experiment name,
    framework, config name, seed): seed record}; ``seeds``: list of ints;
    ``out``: the results folder; ``command``: the command line to quote.
    Writes ``<out>/<experiment>/summary.json`` (``summary_torch.json``), the
    figures (unless ``plots`` is False; drawn by ``workers`` processes) and
    both reports; returns REPORT.md's path.
    """
    out = Path(out)
    summaries = summarize_all(experiments, frameworks, records, seeds)
    for (name, framework), summary in summaries.items():
        write_json(out / name / summary_name(framework), summary)
    results = Results(summaries)
    figures = draw_all(experiments, results, out, workers) if plots else {}
    all_names = list(EXPERIMENT_NAMES) + [e.name for e in experiments if e.name not in EXPERIMENT_NAMES]
    for language, name in (("en", "REPORT.md"), ("ko", "REPORT.ko.md")):
        text = markdown.report(language, experiments, results, figures, command, seeds,
                               all_names, plots=plots)
        atomic_write_text(out / name, text)
    return out / "REPORT.md"
