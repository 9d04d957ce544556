"""Choosing a learning rate on validation data (experiments/selection.py):
the rule, and that the test set takes no part in it -- a selection run
never reads the test images, and the lab evaluates none while it chooses."""
import dataclasses

import pytest

from experiments import evaluation, get_experiment, lab_run, train
from experiments.config import Experiment, RunConfig
from experiments.data import LabData, load_lab_data
from experiments.selection import Choice, chosen, with_choices
from experiments.summary import Results, summarize
from helpers import run_cli
from synthetic_records import make_record

RATES = (0.01, 0.1, 1.0)
RUNS = tuple(RunConfig(f"sgd_lr{lr:g}", f"SGD lr {lr:g}", lr=lr, epochs=4, val_size=50,
                       test_evaluation="never") for lr in RATES)
EXPERIMENT = Experiment("choosing", "t", "q", RUNS,
                        choices=(Choice("sgd", "SGD", tuple(c.name for c in RUNS)),))


class NoTestImages:
    """Stands for the test images: any use of it fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the test images were read ({name})")

    def __len__(self):
        raise AssertionError("the test images were read (len)")


def records_with(val_accs, diverged=()):
    """Synthetic selection records: {rate index: [val acc per seed]}; ``diverged``: (index, seed)."""
    records = {}
    for i, config in enumerate(RUNS):
        for seed, acc in enumerate(val_accs[i]):
            at = 2 if (i, seed) in diverged else None
            record = make_record(config, seed, diverge_at=at)
            if at is None:
                record["final"]["val_acc"] = record["history"]["val_acc"][-1] = acc
            records[("choosing", "tinynet", config.name, seed)] = dict(
                record, experiment="choosing", config=config.name)
    return records


def outcome_of(records, seeds=(0, 1)):
    summary = summarize(EXPERIMENT, "tinynet", records, list(seeds))
    [outcome] = chosen(Results({("choosing", "tinynet"): summary}), EXPERIMENT)
    return outcome


def test_the_best_mean_validation_accuracy_wins():
    outcome = outcome_of(records_with({0: [0.5, 0.6], 1: [0.8, 0.7], 2: [0.6, 0.6]}))
    assert outcome.winner.name == "sgd_lr0.1"
    assert [round(score, 6) for _, score in outcome.scored] == [0.55, 0.75, 0.6]


def test_a_diverged_seed_counts_zero_and_a_tie_keeps_the_first_rate():
    outcome = outcome_of(records_with({0: [0.6, 0.6], 1: [0.9, 0.0], 2: [0.6, 0.6]},
                                      diverged={(1, 1)}))
    assert [round(score, 6) for _, score in outcome.scored] == [0.6, 0.45, 0.6]
    assert outcome.winner.name == "sgd_lr0.01"               # 0.6 twice: the first declared


def test_no_choice_without_every_seed_of_every_rate():
    records = records_with({0: [0.5, 0.6], 1: [0.8, 0.7], 2: [0.6, 0.6]})
    del records[("choosing", "tinynet", "sgd_lr1", 1)]
    outcome = outcome_of(records)
    assert outcome.winner is None and "sgd_lr1" in outcome.missing and "2 seeds" in outcome.missing
    plan = with_choices(EXPERIMENT, records, ["tinynet"], [0, 1])
    assert [c.name for c in plan.configs] == [c.name for c in RUNS]   # nothing to run yet


def test_the_reported_configuration_is_the_winner_measured_on_the_test_set():
    records = records_with({0: [0.5, 0.6], 1: [0.8, 0.7], 2: [0.6, 0.6]})
    plan = with_choices(EXPERIMENT, records, ["tinynet"], [0, 1])
    final = plan.configs[-1]
    assert (final.name, final.label, final.lr) == ("sgd", "SGD", 0.1)
    assert final.test_evaluation == "schedule" and final.val_size == 0
    assert dataclasses.replace(final, name=RUNS[1].name, label=RUNS[1].label, val_size=50,
                               test_evaluation="never") == RUNS[1]       # nothing else changed
    assert with_choices(plan, records, ["tinynet"], [0, 1]).configs == plan.configs   # idempotent


def test_a_selection_run_never_reads_the_test_images():
    real = load_lab_data("mnist", 40, val_size=30)
    data = LabData(real.train_images, real.train_labels, real.val_images, real.val_labels,
                   NoTestImages(), NoTestImages())
    config = RunConfig("s", "s", optimizer="adam", lr=1e-3, train_size=40, val_size=30, epochs=2,
                       test_evaluation="never")
    record = train.run(config, 0, data)
    history = record["history"]
    assert history["eval_epoch"] == history["test_loss"] == history["test_acc"] == []
    assert len(history["val_acc"]) == 2 and record["final"]["val_acc"] == history["val_acc"][-1]
    assert not any("test" in key for key in record["final"])


def test_the_lab_evaluates_no_test_image_until_the_choice_is_made(capsys, tmp_path, monkeypatch):
    """Every evaluation on the 10,000 test images is logged with the run it
    belongs to: none belongs to a selection run, and all come after the
    last selection run has finished."""
    events, running = [], []
    real_run, real_evaluate = train.run, evaluation.evaluate

    def run(config, *args, **kwargs):
        running.append(config)
        try:
            return real_run(config, *args, **kwargs)
        finally:
            events.append(("finished", config))

    def evaluate(learner, x, y):
        if len(y) == 10000:
            events.append(("test", running[-1]))
        return real_evaluate(learner, x, y)

    monkeypatch.setattr(train, "run", run)
    monkeypatch.setattr(evaluation, "evaluate", evaluate)
    experiment = get_experiment("optimizers")
    small = dataclasses.replace(experiment, configs=experiment.configs[:6],
                                choices=experiment.choices[:2])
    monkeypatch.setattr("experiments.optimizers.EXPERIMENT", small)
    code, _, err = run_cli(["optimizers", "--seeds", "2", "--epochs", "2", "--train-size", "30",
                            "--workers", "1", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    tested = [config for kind, config in events if kind == "test"]
    assert tested and all(config.test_evaluation == "schedule" for config in tested)
    last_selection = max(i for i, (kind, config) in enumerate(events)
                         if kind == "finished" and config.test_evaluation == "never")
    first_test = min(i for i, (kind, _) in enumerate(events) if kind == "test")
    assert last_selection < first_test
    assert "optimizers: chosen on the validation images: sgd lr" in err
    assert {c.name for c in tested} == {"sgd", "momentum"}


def test_ctrl_c_between_the_passes_keeps_the_selection_runs(capsys, tmp_path, monkeypatch):
    experiment = get_experiment("optimizers")
    small = dataclasses.replace(experiment, configs=experiment.configs[:3],
                                choices=experiment.choices[:1])
    monkeypatch.setattr("experiments.optimizers.EXPERIMENT", small)

    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(lab_run.selection, "with_choices", interrupted)
    argv = ["optimizers", "--seeds", "1", "--epochs", "1", "--train-size", "20", "--workers", "1",
            "--out", str(tmp_path)]
    code, _, err = run_cli(argv, capsys)
    assert code == 130 and "3 of 3 runs are finished and stored" in err
    assert len(list((tmp_path / "optimizers" / "seeds").glob("*.json"))) == 3


@pytest.mark.parametrize("frameworks, chooser", [(["tinynet"], "tinynet"), (["torch"], "torch"),
                                                 (["tinynet", "torch"], "tinynet")])
def test_the_first_framework_run_decides(frameworks, chooser):
    good, bad = {0: [0.5, 0.5], 1: [0.9, 0.9], 2: [0.1, 0.1]}, {0: [0.9, 0.9], 1: [0.1, 0.1],
                                                                2: [0.1, 0.1]}
    records = {}
    for framework in frameworks:
        for (name, _, config, seed), record in records_with(good if framework == chooser
                                                            else bad).items():
            records[(name, framework, config, seed)] = dict(record, framework=framework)
    plan = with_choices(EXPERIMENT, records, frameworks, [0, 1])
    assert plan.configs[-1].lr == RATES[1]
