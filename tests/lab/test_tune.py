"""``python -m experiments.tune``: random search scored on the validation set,
reproducible from its seed, and the test set evaluated once per seed of the
chosen configuration only -- checked on the stored records themselves."""
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from experiments import train
from experiments.config import RunConfig, SettingError
from experiments.data import load_lab_data
from experiments.folder_lock import FolderLock
from experiments.record_check import record_problem, value_problem
from experiments.tune import cli as tune_cli
from experiments.tune import search
from helpers import without_timing

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
SMALL = ["--trials", "3", "--rounds", "2", "--epochs", "2", "--seeds", "2", "--val-size", "200"]


def run_tune(argv, capsys):
    code = tune_cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def seed_files(out, experiment="tune"):
    return {p.name: json.loads(p.read_text()) for p in sorted((out / experiment / "seeds").glob("*.json"))}


@pytest.fixture(scope="module")
def data():
    return load_lab_data("mnist", 300, val_size=200)


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started")
    monkeypatch.setattr(train, "run", refuse)


# --------------------------------------------------------------------------
# A trial never sees the test set; the chosen configuration sees it once
# --------------------------------------------------------------------------
def test_a_trial_run_has_no_test_numbers_and_is_scored_on_validation(data):
    trial = RunConfig("trial", "t", epochs=3, val_size=200, test_evaluation="never")
    record = train.run(trial, seed=0, data=data)
    history, final = record["history"], record["final"]
    assert history["eval_epoch"] == history["test_acc"] == history["test_loss"] == []
    assert len(history["val_acc"]) == 3 and final["val_acc"] == history["val_acc"][-1]
    assert not [key for key in final if "test" in key]
    assert record_problem(record) is None and value_problem(record, trial) is None


def test_the_chosen_configuration_evaluates_the_test_set_once_at_the_end(data):
    chosen = RunConfig("chosen", "c", epochs=3, test_evaluation="final")
    record = train.run(chosen, seed=0, data=data)
    assert record["history"]["eval_epoch"] == [3] and len(record["history"]["test_acc"]) == 1
    assert record["final"]["test_acc"] == record["history"]["test_acc"][0]
    assert value_problem(record, chosen) is None


@pytest.mark.parametrize("settings, problem", [
    (dict(test_evaluation="never"), "'never' needs a validation set to score the run on"),
    (dict(test_evaluation="sometimes"), "must be one of schedule, final, never, got 'sometimes'"),
    (dict(test_evaluation="final", val_size=100, patience=5),
     "'final' cannot be combined with early stopping"),
    (dict(test_evaluation="never", val_size=100, patience=5),
     "'never' cannot be combined with early stopping"),
])
def test_a_test_evaluation_no_run_can_honour_is_refused(settings, problem):
    with pytest.raises(SettingError, match=re.escape(problem)):
        RunConfig("x", "x", **settings)


def test_a_stored_trial_holding_test_numbers_is_not_trusted(data):
    trial = RunConfig("trial", "t", epochs=2, val_size=200, test_evaluation="never")
    record = train.run(trial, seed=0, data=data)
    tampered = dict(record, final=dict(record["final"], test_acc=0.99))
    assert value_problem(tampered, trial) == \
        "its final holds ['test_acc'], but the run never evaluates the test set"
    evaluated = json.loads(json.dumps(record))
    evaluated["history"].update(eval_epoch=[2], test_acc=[0.5], test_loss=[1.0])
    assert value_problem(evaluated, trial) == \
        "its history 'eval_epoch' is [2], but the run never evaluates the test set"
    chosen = RunConfig("chosen", "c", epochs=3, test_evaluation="final")
    scheduled = train.run(RunConfig("chosen", "c", epochs=3, eval_every=1), seed=0, data=data)
    assert value_problem(scheduled, chosen) == ("its history 'eval_epoch' is [1, 2, 3], but the "
                                                "run evaluates the test set only after its last epoch")


def test_the_rule_check_names_a_run_that_broke_it(data):
    trial = RunConfig("trial_a", "t", epochs=2, val_size=200, test_evaluation="never")
    chosen = RunConfig("chosen_a", "c", epochs=2, test_evaluation="final")
    peeking = RunConfig("trial_b", "t", epochs=2, val_size=200)          # evaluates the test set
    records = {("trial_a", 0): train.run(trial, 0, data), ("chosen_a", 0): train.run(chosen, 0, data)}
    assert tune_cli.test_set_problem(records, "chosen_a") is None
    records[("trial_b", 0)] = train.run(peeking, 0, data)
    assert tune_cli.test_set_problem(records, "chosen_a") == \
        "the run trial_b seed 0 evaluated the test set 2 time(s), not 0"


# --------------------------------------------------------------------------
# The search: seeded, log-uniform, narrowing
# --------------------------------------------------------------------------
def test_trials_are_drawn_log_uniformly_within_the_ranges_and_reproducibly():
    ranges = {"lr": (1e-3, 1.0), "l2": (1e-6, 1e-1)}
    trials = search.draw(ranges, 400, search_seed=7, round_number=1)
    assert trials == search.draw(ranges, 400, search_seed=7, round_number=1)
    assert trials != search.draw(ranges, 400, search_seed=8, round_number=1)
    assert len({t.name for t in trials}) == 400
    for trial in trials:
        for name, (low, high) in ranges.items():
            value = trial.values[name]
            assert low <= value <= high and value == float(f"{value:.3g}")
    decades = [math.floor(math.log10(t.values["l2"])) for t in trials]   # 5 decades, ~80 each
    assert all(50 <= decades.count(d) <= 110 for d in range(-6, -1)), decades


def test_a_later_round_searches_around_the_best_trials_inside_the_given_ranges():
    ranges = {"lr": (1e-3, 1.0), "l2": (1e-6, 1e-1)}
    trials = search.draw(ranges, 10, 0, 1)
    scores = {t.name: i / 10 for i, t in enumerate(trials)}              # the last is best
    scores[trials[0].name] = None                                         # a diverged trial
    best = search.ranked(trials, scores)[:2]
    assert best == trials[:-3:-1]
    narrowed = search.narrowed(ranges, trials, scores)
    for name, (low, high) in narrowed.items():
        assert low == max(ranges[name][0], min(t.values[name] for t in best) / 2)
        assert high == min(ranges[name][1], max(t.values[name] for t in best) * 2)


@pytest.mark.parametrize("options, problem", [
    ([("momentum", 0.1, 0.9)], "unknown parameter 'momentum'; choose from lr, l2, l1, dropout"),
    ([("lr", 0.0, 1.0)], "lr needs 0 < LOW < HIGH (values are drawn log-uniformly), got 0 1"),
    ([("l2", 0.1, 0.01)], "l2 needs 0 < LOW < HIGH"),
    ([("lr", 0.1, math.inf)], "lr needs 0 < LOW < HIGH"),
    ([("dropout", 0.1, 1.0)], "dropout is a drop probability, below 1, got HIGH 1"),
    ([("lr", 0.1, 1.0), ("lr", 0.2, 1.0)], "lr is given twice"),
    ([("l2", 1e-5, 1e-3), ("dropout", 0.1, 0.5)], "one regulariser at a time, got l2 and dropout"),
])
def test_a_search_space_no_search_can_use_is_refused(options, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        search.Space.from_options(options)


def test_the_default_space_is_lr_and_the_l2_lambda():
    space = search.Space.from_options(None)
    assert space == search.Space("l2", {"lr": (1e-3, 1.0), "l2": (1e-6, 1e-1)})
    assert search.Space.from_options([("dropout", 0.05, 0.5)]).ranges == \
        {"lr": (1e-3, 1.0), "dropout": (0.05, 0.5)}


@pytest.mark.parametrize("argv, message", [
    (["--param", "lr", "a", "1"], "--param: expected a number, got 'a'"),
    (["--param", "weight", "1", "2"], "--param: unknown parameter 'weight'"),
    (["--trials", "0"], "--trials: must be at least 1, got 0"),
    (["--search-seed", "-1"], "--search-seed must be at least 0, got -1"),
    (["--val-size", "0"], "test_evaluation 'never' needs a validation set"),
    (["--epochs", "0"], "epochs must be at least 1, got 0"),
    (["--scheduler", "nowhere"], "--scheduler: expected 'local' or the address of a dask scheduler"),
])
def test_bad_options_are_usage_errors_before_any_training(capsys, tmp_path, no_training, argv,
                                                          message):
    with pytest.raises(SystemExit) as stop:
        tune_cli.main([*argv, "--out", str(tmp_path)])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_more_validation_images_than_the_data_holds_is_one_line(capsys, tmp_path, no_training):
    code, err = run_tune(["--val-size", "9000", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "python -m experiments.tune: error: the run needs 300 training + 9000 validation images, "
        "but the mnist training file holds only 4502"]


def test_ranges_too_narrow_for_the_trials_asked_are_one_line(capsys, tmp_path):
    code, err = run_tune(["--param", "lr", "0.1", "0.1002", "--param", "l2", "0.001", "0.001002",
                          "--trials", "5", "--out", str(tmp_path)], capsys)
    assert code == 2
    (line,) = err.strip().splitlines()[-1:]
    assert line.startswith("python -m experiments.tune: error: round 1: the ranges ")
    assert line.endswith("hold fewer than 5 distinct values of 3 significant digits not yet "
                         "tried; widen them")


def test_a_search_on_a_folder_in_use_is_refused(capsys, tmp_path, no_training):
    with FolderLock(tmp_path, "python -m experiments baseline"):
        code, err = run_tune([*SMALL, "--out", str(tmp_path)], capsys)
    assert code == 2
    assert f"error: {tmp_path} is in use by another lab run (pid {os.getpid()}: python -m " \
           "experiments baseline)" in err


# --------------------------------------------------------------------------
# The whole search, twice: same trials, same numbers, the rule kept
# --------------------------------------------------------------------------
def test_a_search_is_reproducible_and_evaluates_the_test_set_for_the_chosen_only(capsys, tmp_path):
    first, second = tmp_path / "pool", tmp_path / "again"
    code, err = run_tune([*SMALL, "--workers", "2", "--out", str(first)], capsys)
    assert code == 0, err
    if importlib.util.find_spec("distributed") is not None:     # the same search on a cluster
        done = subprocess.run([sys.executable, "-m", "experiments.tune", *SMALL, "--scheduler",
                               "local", "--workers", "2", "--out", str(second)], cwd=ROOT,
                              env=ENV, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    else:
        code, err = run_tune([*SMALL, "--workers", "1", "--out", str(second)], capsys)
        assert code == 0, err
    runs = seed_files(first)
    assert without_timing(runs) == without_timing(seed_files(second))     # bit-identical
    table, again = (json.loads((o / "tune" / "trials.json").read_text()) for o in (first, second))
    assert {k: v for k, v in table.items() if k != "command"} == \
        {k: v for k, v in again.items() if k != "command"}

    # 3 trials per round, 2 rounds, one seed each; the chosen one with seeds 0 and 1
    trials = {n: r for n, r in runs.items() if n.startswith("trial_")}
    chosen = {n: r for n, r in runs.items() if n.startswith("chosen_")}
    assert len(trials) == 6 and [t["round"] for t in table["trials"]] == [1, 1, 1, 2, 2, 2]
    assert sorted(chosen) == [f"{table['chosen']}__seed{s}.json" for s in (0, 1)]
    for record in trials.values():
        assert record["settings"]["test_evaluation"] == "never"
        assert record["history"]["eval_epoch"] == [] and "test_acc" not in record["final"]
    for record in chosen.values():
        assert record["settings"]["test_evaluation"] == "final"
        assert record["history"]["eval_epoch"] == [2]
    assert table["test_set_evaluations"] == 2

    # the chosen trial is the best by validation accuracy, and its values are retrained
    scored = [t for t in table["trials"] if t["score"] is not None]
    best = min(scored, key=lambda t: (-t["score"], t["name"]))
    assert table["chosen"] == best["name"].replace("trial_", "chosen_", 1)
    for record in chosen.values():
        assert {k: record["settings"][k] for k in best["values"]} == best["values"]
    # round 2 drew inside the narrowed ranges, which lie inside the given ones
    (first_ranges, narrowed) = (r["ranges"] for r in table["rounds"])
    for trial in table["trials"][3:]:
        for name, (low, high) in narrowed.items():
            assert low <= trial["values"][name] <= high
            assert first_ranges[name][0] <= low < high <= first_ranges[name][1]

    # the report states the numbers of trials.json, in both languages
    report = (first / "tune" / "REPORT.md").read_text()
    korean = (first / "tune" / "REPORT.ko.md").read_text()
    mean = table["chosen_test_acc"]["mean"]
    assert f"test accuracy {mean:.4f} ± " in report and f"테스트 정확도 {mean:.4f} ± " in korean
    assert "The test set was evaluated 2 time(s)" in report and "none of the 6 trial runs" in report
    assert "테스트 데이터는 2번 평가했다" in korean
    assert "![" in report and (first / "tune" / "search.png").stat().st_size > 10_000

    # a rerun trains nothing: every run is reused
    code, err = run_tune([*SMALL, "--workers", "2", "--out", str(first)], capsys)
    assert code == 0, err
    assert re.findall(r"reusing (\d+) finished run", err) == ["3", "3", "2", "2"]
    assert not re.search(r"^\[\s*\d+/", err, re.M)
