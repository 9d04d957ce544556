"""Divergence is a result: a run that meets a
non-finite loss or weight stops there and is recorded as diverged; no NaN or
infinity ever reaches a record, a JSON file or a progress line."""
import json
import math

import numpy as np
import pytest

from experiments import evaluation, learner as lab_learner, train
from experiments.config import RunConfig
from experiments.data import load_lab_data
from experiments.record_check import record_problem, value_problem

from helpers import run_cli


@pytest.fixture(scope="module")
def data():
    return load_lab_data("mnist", 60, val_size=40)


def strict_json(text):
    """json.loads that refuses NaN/Infinity (which are not JSON)."""
    def refuse(name):
        raise ValueError(f"{name} in JSON")
    return json.loads(text, parse_constant=refuse)


def assert_all_finite(record):
    json.dumps(record, allow_nan=False)                          # raises on NaN/inf
    for key, values in record["history"].items():
        assert all(math.isfinite(v) for v in values), key


def test_a_learning_rate_of_50_diverges_in_the_first_epoch(data):
    record = train.run(RunConfig("hot", "hot", lr=50, epochs=3), seed=0, data=data)
    assert record["diverged"]["epoch"] == 1
    last = record["diverged"]["last_finite_loss"]
    assert last is None or math.isfinite(last)
    assert record["final"] == {"epochs_run": 0}                  # nothing meaningful to report
    assert all(values == [] for values in record["history"].values())
    assert_all_finite(record)
    assert record_problem(record) is None                        # a valid record to store
    assert value_problem(record, RunConfig("hot", "hot", lr=50, epochs=3)) is None


def test_a_run_that_does_not_diverge_says_so(data):
    record = train.run(RunConfig("ok", "ok", epochs=2), seed=0, data=data)
    assert record["diverged"] is None
    assert record["final"]["epochs_run"] == 2 and math.isfinite(record["final"]["test_acc"])


class StepAfter:
    """Wraps TinynetLearner.loss: from call ``after`` on, returns ``bad(learner, loss)``."""

    def __init__(self, monkeypatch, after, bad):
        self.calls, self.losses = 0, []
        real_loss = lab_learner.TinynetLearner.loss

        def loss(learner, logits, y):
            self.calls += 1
            value = real_loss(learner, logits, y)
            if self.calls >= after:
                return bad(learner, value)
            self.losses.append(value)
            return value

        monkeypatch.setattr(lab_learner.TinynetLearner, "loss", loss)


def test_a_nan_loss_mid_run_keeps_the_finite_epochs_and_the_last_finite_loss(data, monkeypatch):
    # 60 images, batch 10: 6 steps per epoch; step 15 is in epoch 3.
    spy = StepAfter(monkeypatch, after=15, bad=lambda learner, loss: float("nan"))
    record = train.run(RunConfig("mid", "mid", epochs=5, eval_every=1), seed=0, data=data)
    assert record["diverged"] == {"epoch": 3, "last_finite_loss": spy.losses[-1]}
    assert spy.calls == 15                                       # stopped at the first NaN
    history = record["history"]
    assert history["epoch"] == [1, 2] and history["eval_epoch"] == [1, 2]
    assert len(history["train_acc"]) == len(history["test_acc"]) == 2
    assert record["final"] == {"epochs_run": 2}
    assert_all_finite(record)


def test_floating_point_error_from_the_loss_is_divergence(data, monkeypatch):
    """tinynet's CrossEntropyLoss and BatchNorm raise FloatingPointError on
    non-finite values; the loop records that as divergence."""
    def refuse(learner, loss):
        raise FloatingPointError("CrossEntropyLoss: 10 non-finite values")
    StepAfter(monkeypatch, after=8, bad=refuse)
    record = train.run(RunConfig("c1", "c1", epochs=4), seed=0, data=data)
    assert record["diverged"]["epoch"] == 2
    assert record["final"] == {"epochs_run": 1}
    assert_all_finite(record)


def test_a_non_finite_weight_with_a_finite_loss_is_caught_at_the_end_of_the_epoch(data, monkeypatch):
    def poison(learner, loss):
        next(iter(learner.model.parameters())).data[0, 0] = np.inf
        return loss                                              # this step's loss was finite
    spy = StepAfter(monkeypatch, after=12, bad=poison)          # epoch 2's last step
    record = train.run(RunConfig("w", "w", epochs=4), seed=0, data=data)
    assert spy.calls == 12
    assert record["diverged"] == {"epoch": 2, "last_finite_loss": record["diverged"]["last_finite_loss"]}
    assert math.isfinite(record["diverged"]["last_finite_loss"])
    assert record["history"]["epoch"] == [1]
    assert_all_finite(record)


def test_a_non_finite_evaluation_loss_is_divergence(data, monkeypatch):
    real_evaluate, calls = evaluation.evaluate, []

    def evaluate(learner, x, y):
        calls.append(1)
        loss, accuracy = real_evaluate(learner, x, y)
        return (math.inf if len(calls) > 3 else loss), accuracy

    monkeypatch.setattr(evaluation, "evaluate", evaluate)
    record = train.run(RunConfig("e", "e", epochs=4, eval_every=1, val_size=40, patience=3),
                       seed=0, data=data)
    assert record["diverged"]["epoch"] == 2                      # 3 evaluations per epoch
    assert record["history"]["val_loss"] and all(map(math.isfinite, record["history"]["val_loss"]))
    assert_all_finite(record)


def test_early_stopping_runs_still_report_their_best_epoch(data):
    record = train.run(RunConfig("es", "es", epochs=6, val_size=40, patience=2), seed=0, data=data)
    assert record["diverged"] is None and 1 <= record["final"]["best_epoch"] <= 6


def test_torch_runs_diverge_too(data):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    record = train.run(RunConfig("hot", "hot", lr=50, epochs=2), seed=0, data=data,
                       framework="torch")
    assert record["diverged"]["epoch"] == 1 and record["final"] == {"epochs_run": 0}
    assert_all_finite(record)



def test_a_lab_run_with_lr_50_finishes_with_valid_files(capsys, tmp_path):
    argv = ["baseline", "l2", "--lr", "50", "--seeds", "2", "--epochs", "2", "--train-size", "30",
            "--workers", "1", "--out", str(tmp_path)]
    code, _, err = run_cli(argv, capsys)
    assert code == 0, err
    progress = [line for line in err.splitlines() if "baseline/lecture seed" in line]
    assert len(progress) == 2 and all("diverged at epoch" in line for line in progress)
    assert not any(" test " in line for line in progress)       # never a fake accuracy
    assert "Traceback" not in err and "nan" not in err.lower()
    files = sorted(tmp_path.rglob("*.json"))
    assert len(files) >= 12                                      # 6 configurations x 2 seeds
    for path in files:
        strict_json(path.read_text())                            # every file is valid JSON
    seed = strict_json((tmp_path / "baseline/seeds/lecture__seed0.json").read_text())
    assert seed["settings"]["lr"] == 50 and seed["diverged"]["epoch"] >= 1
    assert (tmp_path / "REPORT.md").exists() and (tmp_path / "REPORT.ko.md").exists()
    text = (tmp_path / "REPORT.md").read_text()
    assert "diverged" in text and "baseline" in text
    assert list(tmp_path.rglob("*.png"))

    # A diverged record is a valid result: the rerun reuses it.
    code, _, err = run_cli(argv, capsys)
    assert code == 0 and "reusing 12 finished run(s)" in err
