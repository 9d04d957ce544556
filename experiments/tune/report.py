"""What a finished search writes to ``<out>/tune/``, each file atomically:

    trials.json    every trial (round, values, per-seed validation and train
                   accuracy, score), the ranges of each round, the chosen
                   configuration's and the baseline's per-seed test accuracy
    search.png     validation accuracy over the (lr, regulariser) plane
    REPORT.md      the search's report section (REPORT.ko.md in Korean)
"""
import datetime
from typing import NamedTuple

from ..report_text import acc, verb
from ..stats import Stat, describe_values
from ..storage import atomic_write_text, write_json
from .figure import plot_search
from .words import PARAM_NAMES, WORDS, choice, method, test_set_use

BEST_SHOWN = 5            # trials in the table, ringed in the figure


class Outcome(NamedTuple):
    """Everything the report says, as the search produced it."""

    space: object             # search.Space
    rounds: list              # [{"round", "ranges", "trials"}]
    trials: list              # [search.Trial], in the order drawn
    scores: dict              # trial name -> mean validation accuracy, None if a seed diverged
    ranked: list              # the scored trials, best first
    records: dict             # (config name, seed) -> record, of the trials and the chosen runs
    chosen: object            # the chosen RunConfig
    baseline: list            # the baseline's records, one per seed
    args: object              # the command's options
    command: str


def _finals(records, key):
    return [r["final"][key] for r in records if not r["diverged"]]


def _trial_rows(outcome):
    seeds = range(outcome.args.seeds_per_trial)
    rows = []
    for trial in outcome.trials:
        runs = [outcome.records[(trial.name, s)] for s in seeds]
        rows.append({"name": trial.name, "round": trial.round, "values": trial.values,
                     "score": outcome.scores[trial.name],
                     "diverged_seeds": [s for s, r in zip(seeds, runs) if r["diverged"]],
                     "val_acc": _finals(runs, "val_acc"), "train_acc": _finals(runs, "train_acc")})
    return rows


def _cell(values, single):
    if not values:
        return "—"
    return f"{values[0]:.4f} {single}" if len(values) == 1 else acc(Stat(values))


def _table(outcome, rows, language):
    w, by_name = WORDS[language], {row["name"]: row for row in rows}
    reg = outcome.space.regulariser
    lines = [w["table_head"].format(reg=PARAM_NAMES[reg].pick(language)),
             "|---|---|---|---|---|---|"]
    for rank, trial in enumerate(outcome.ranked[:BEST_SHOWN], start=1):
        row = by_name[trial.name]
        lines.append(f"| {rank} | {trial.round} | {trial.values['lr']:g} | {trial.values[reg]:g} "
                     f"| {_cell(row['val_acc'], w['single'])} "
                     f"| {_cell(row['train_acc'], w['single'])} |")
    return lines


def write(outcome, folder):
    """trials.json, search.png, REPORT.md and REPORT.ko.md in ``folder``;
    returns REPORT.md's path."""
    seeds = outcome.args.seeds
    chosen_runs = [outcome.records[(outcome.chosen.name, s)] for s in range(seeds)]
    chosen_test, base_test = _finals(chosen_runs, "test_acc"), _finals(outcome.baseline, "test_acc")
    rows = _trial_rows(outcome)
    evaluations = sum(len(r["history"]["eval_epoch"]) for r in outcome.records.values())
    write_json(folder / "trials.json", {
        "command": outcome.command, "regulariser": outcome.space.regulariser,
        "rounds": [dict(r, ranges={k: list(v) for k, v in r["ranges"].items()})
                   for r in outcome.rounds],
        "trials": rows, "chosen": outcome.chosen.name,
        "chosen_test_acc": describe_values(chosen_test) if chosen_test else None,
        "baseline_test_acc": describe_values(base_test) if base_test else None,
        "test_set_evaluations": evaluations})
    figure = plot_search(outcome, folder, BEST_SHOWN)
    if chosen_test and base_test:
        versus = verb(Stat(chosen_test) - Stat(base_test))
        result = choice(outcome, acc(Stat(chosen_test)), acc(Stat(base_test)), versus)
    else:
        result = None
    use = test_set_use(len(chosen_test), evaluations, len(outcome.trials) * outcome.args.seeds_per_trial)
    date = f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
    for language, name in (("en", "REPORT.md"), ("ko", "REPORT.ko.md")):
        w = WORDS[language]
        lines = [w["title"].format(reg=PARAM_NAMES[outcome.space.regulariser].pick(language)), "",
                 w["other"], "", w["generated"].format(date=date, command=outcome.command), ""]
        lines += [text.pick(language) for text in method(outcome)] + [""]
        lines += [w["best"], ""] + _table(outcome, rows, language) + [""]
        lines += [f"![{figure.title.pick(language)}]({figure.path})", "",
                  f"*{figure.title.pick(language)}.* {figure.what_to_see.pick(language)}", ""]
        lines += [w["test"], ""]
        lines += [result.pick(language) if result else w["all_diverged"], "", use.pick(language)]
        atomic_write_text(folder / name, "\n".join(lines) + "\n")
    return folder / "REPORT.md"
