"""REPORT.md and REPORT.ko.md: the same report in English and Korean,
built from the results and figures in memory by one function, so both
languages always show the same numbers.

Only the experiments that ran are listed (one line names the others), the
command that produced the runs is quoted, and every finding was checked
against its own condition by the function that states it.
"""
import datetime
import importlib
import json

from tinynet.text import Text

from . import findings as general
from .report_text import WORDS, acc, table_cell
from .summary import FRAMEWORK_NAMES, MissingResults


def korean(experiment):
    """(title, question) in Korean from the experiment script's ``KOREAN``;
    the English ones when the script has none."""
    try:
        module = importlib.import_module(f"{__package__}.{experiment.name}")
        return module.KOREAN
    except (ImportError, AttributeError):
        return Text(experiment.title, experiment.question)


def _seeds_cell(c, w):
    if not c.diverged:
        return str(c.seeds)
    if not c.usable:
        return w["all_diverged"].format(n=c.seeds)
    return w["some_diverged"].format(n=c.n, total=c.seeds, k=len(c.diverged))


def _stat_cell(config, key):
    try:
        return acc(getattr(config, key))
    except (MissingResults, AttributeError):
        return "—"


def _versus_cell(results, row, language):
    tiny = row.get("tinynet")
    if tiny is None or not tiny.usable or row.experiment == "baseline":
        return "—"
    try:
        base = results.baseline(row.experiment, settings=tiny.settings)
    except MissingResults:
        return "—"
    if base.name == tiny.name and base.experiment == tiny.experiment:
        return "—"
    diff = tiny.test_acc - base.test_acc
    return table_cell(diff).pick(language)


def table(results, language):
    w = WORDS[language]
    lines = [w["table_head"], "|---|---|---|---|---|---|---|---|---|"]
    for row in results.rows():
        tiny, torch = row.get("tinynet"), row.get("torch")
        main = tiny or torch
        torch_cell = _stat_cell(torch, "test_acc") if torch else (
            w["other_settings"] if row.mismatch else "—")
        reported = f"{row.lecture_reported:.4f}" if row.lecture_reported else "—"
        lines.append(
            f"| {row.experiment} | {row.label if language == 'en' else row.label_ko} "
            f"| {_seeds_cell(main, w)} "
            f"| {_stat_cell(tiny, 'train_acc') if tiny else '—'} "
            f"| {_stat_cell(tiny, 'test_acc') if tiny else '—'} "
            f"| {_versus_cell(results, row, language)} "
            f"| {_stat_cell(tiny, 'lecture_eval_test_acc') if tiny else '—'} "
            f"| {torch_cell} | {reported} |")
    return lines


def _setup(results, experiment, w):
    for framework in FRAMEWORK_NAMES:
        if results.has(experiment.name, framework):
            every = results.all_configs(experiment.name, framework)
            configs = [c for c in every if not c.selection] or every   # the reported ones
            s = configs[0].settings

            def joined(key):
                return "/".join(str(v) for v in dict.fromkeys(c.settings.get(key) for c in configs))
            return w["setup"].format(dataset=s["dataset"], train=s["train_size"],
                                     epochs=joined("epochs"), lr=joined("lr"),
                                     batch=joined("batch_size"),
                                     seeds="/".join(sorted({str(c.seeds) for c in configs})),
                                     every=s["eval_every"])
    return ""


def _figure_lines(figure, language, shown, w):
    if figure.path in shown:
        return [w["see_above"].format(title=figure.title.pick(language), path=figure.path), ""]
    shown.add(figure.path)
    return [f"![{figure.title.pick(language)}]({figure.path})", "",
            f"*{figure.title.pick(language)}.* {figure.what_to_see.pick(language)}", ""]


def _bullets(texts, language):
    return [f"- {t.pick(language)}" for t in texts] + [""]


def report(language, experiments, results, figures, command, seeds, all_names, plots=True):
    """The text of REPORT.md (language "en") or REPORT.ko.md ("ko")."""
    w = WORDS[language]
    ran = [e for e in experiments if any(results.has(e.name, f) for f in FRAMEWORK_NAMES)]
    missing = [name for name in all_names if name not in {e.name for e in ran}]
    lines = [w["title"], "", w["other"], "",
             w["generated"].format(date=f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
                                   command=command, seeds=", ".join(map(str, seeds))), ""]
    if missing:
        lines += [w["not_run"].format(names=", ".join(missing), first=missing[0]), ""]
    diverged = general.divergence_findings(results)
    if diverged:
        lines += [w["diverged"], ""] + _bullets(diverged, language)
    lines += [w["how"], "", w["all"], ""] + table(results, language) + [""]
    shown = set()
    for figure in figures.get("overview", []):
        lines += _figure_lines(figure, language, shown, w)
    lines += [w["lecture"], ""] + _bullets(general.lecture_findings(results), language)
    lines += [w["frameworks"], ""]
    lines += _bullets(general.framework_findings(results, results.rows()), language)
    lines += [w["frameworks_note"], ""]
    for experiment in ran:
        title, question = (experiment.title, experiment.question) if language == "en" \
            else korean(experiment)
        lines += [f"## {title}", "", f"*{question}*", "", _setup(results, experiment, w), ""]
        for figure in figures.get(experiment.name, []):
            lines += _figure_lines(figure, language, shown, w)
        if plots and experiment.figures and not figures.get(experiment.name):
            lines += [w["figure_failed"], ""]
        lines += _bullets(general.experiment_findings(experiment, results), language)
    distinct = {}              # the baseline and L1/L2 at λ = 0 are one run: counted once
    for (e, f) in results.summaries:
        for c in results.all_configs(e, f):
            key = (f, json.dumps(c.settings, sort_keys=True))
            distinct[key] = max(distinct.get(key, 0.0), c.data.get("compute_seconds", 0.0))
    seconds = sum(distinct.values())
    notes = [n.format(minutes=seconds / 60) for n in w["notes"]]
    lines += [w["method"], ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
