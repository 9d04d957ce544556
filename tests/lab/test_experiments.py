"""Tests of the lab's experiment scripts (experiments/).

They use the real MNIST files ($TINYNET_DATA, set by conftest.py) and run
short but real trainings; the one full 100-epoch baseline seed checks that
the lecture's result is reproduced.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments import EXPERIMENT_NAMES, get_experiment, train
from experiments import config as lab_config
from experiments.config import RunConfig
from experiments.data import DataError, load_lab_data
from experiments.record_check import record_problem, value_problem

from helpers import run_cli, without_timing

ROOT = Path(__file__).resolve().parents[2]
BASELINE = get_experiment("baseline").configs[0]


@pytest.fixture(scope="module")
def data():
    return load_lab_data("mnist", 300, val_size=200)


# --------------------------------------------------------------------------
# The lecture's result
# --------------------------------------------------------------------------
def test_full_baseline_seed_reproduces_the_lectures_overfitting(data):
    config = BASELINE.with_overrides(eval_every=50)
    record = train.run(config, seed=0, data=data)
    assert record_problem(record) is None and value_problem(record, config) is None
    final = record["final"]
    assert final["epochs_run"] == 100
    assert final["train_acc"] == 1.0                      # memorises all 300 images
    assert 0.70 <= final["test_acc"] <= 0.82              # the lecture: 0.7637
    assert final["train_loss"] < 0.01
    # Without BatchNorm/dropout the lecture's evaluation is close to the proper one.
    assert abs(final["lecture_eval_test_acc"] - final["test_acc"]) < 0.03


# --------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------
@pytest.mark.parametrize("config", [
    RunConfig("dropout", "d", dropout=0.2, epochs=3, eval_every=2),
    RunConfig("shift", "s", augmentation="shift", epochs=2),
    RunConfig("dropconnect", "c", dropconnect=0.5, batchnorm="separate", epochs=2),
])
def test_same_seed_gives_bit_identical_records(data, config):
    first = train.run(config, seed=3, data=data)
    second = train.run(config, seed=3, data=data)
    assert without_timing({"run": first}) == without_timing({"run": second})
    other = train.run(config, seed=4, data=data)
    assert other["history"]["train_loss"] != first["history"]["train_loss"]


def test_history_has_every_epoch_and_the_eval_schedule(data):
    config = RunConfig("l1", "l1", l1=1e-4, epochs=7, eval_every=3)
    record = train.run(config, seed=0, data=data)
    h = record["history"]
    assert h["epoch"] == list(range(1, 8))
    assert len(h["train_loss"]) == len(h["train_acc"]) == len(h["penalty"]) == 7
    assert h["eval_epoch"] == [1, 3, 6, 7]                # 1, every 3rd, and the last
    assert len(h["test_acc"]) == len(h["test_loss"]) == 4
    assert all(p > 0 for p in h["penalty"])               # L~ = L + penalty is recorded
    assert record["final"]["test_acc"] == h["test_acc"][-1]


def test_early_stopping_restores_the_best_weights(data):
    config = RunConfig("es", "es", val_size=200, patience=3, epochs=60, eval_every=100)
    record = train.run(config, seed=1, data=data)
    assert record_problem(record) is None and value_problem(record, config) is None
    final, h = record["final"], record["history"]
    best = final["best_epoch"]
    assert final["stopped_early"] and final["epochs_run"] == best + 3
    assert h["val_acc"][best - 1] == max(h["val_acc"])
    # The restored model IS the best epoch's model: same train accuracy.
    assert final["train_acc"] == h["train_acc"][best - 1]
    assert h["eval_epoch"][-1] == final["epochs_run"]      # test measured where it stopped


def test_every_module_of_the_training_code_is_in_the_code_fingerprint():
    """A stored seed is reused only while the code that made it is unchanged:
    every lab module that train.run imports must be hashed."""
    code = ("import sys, experiments.train; print(' '.join(sorted(m for m in sys.modules "
            "if m.startswith('experiments.'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    imported = {name.split(".", 1)[1] + ".py" for name in done.stdout.split()}
    assert imported <= set(lab_config._NUMERIC_SOURCES), imported - set(lab_config._NUMERIC_SOURCES)


def test_every_lab_module_is_short_enough_to_read_in_one_sitting():
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for path in (ROOT / "experiments").rglob("*.py")}
    assert max(sizes.values()) <= 300, {name: n for name, n in sizes.items() if n > 300}


def test_every_augmentation_of_the_settings_is_implemented():
    from experiments.training_images import RANDOM_AUGMENTATIONS
    assert set(lab_config.AUGMENTATIONS) == {"none", "rotations", *RANDOM_AUGMENTATIONS}


def test_lecture_reference_is_dropped_when_the_setup_changes():
    assert BASELINE.with_overrides(eval_every=10).lecture_reported == 0.7637
    assert BASELINE.with_overrides(epochs=5).lecture_reported is None
    assert BASELINE.with_overrides(dataset="fashion-mnist").lecture_reported is None


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["nosuch"], "unknown experiment 'nosuch'"),
    (["basline"], "did you mean 'baseline'"),
    (["--seeds", "0"], "--seeds: must be at least 1"),
    (["--epochs", "-1"], "baseline/lecture: epochs must be at least 1, got -1"),
    (["--workers", "two"], "--workers: expected a whole number"),
    (["--dataset", "cifar"], "invalid choice: 'cifar'"),
    (["baseline", "--train-size", "5000"], "needs 5000 training images, but the mnist training "
                                          "file holds only 4502"),
    (["early_stopping", "--train-size", "4000"], "4000 training + 1000 validation images"),
    (["dropout", "--train-size", "50"], "dropout/lecture: batch_size 100 is larger than the 50 "
                                        "training images of an epoch: no full batch to train on"),
    (["--eval-every", "0"], "eval_every must be at least 1, got 0"),
])
def test_bad_options_exit_with_a_message(argv, message, capsys, tmp_path):
    code, _, err = run_cli(argv + ["--out", str(tmp_path)], capsys)
    assert code == 2
    assert message in err
    assert not list(tmp_path.iterdir())                   # nothing was run


def test_missing_data_is_a_clear_error(capsys, tmp_path):
    code, _, err = run_cli(["baseline", "--data-dir", str(tmp_path / "nowhere"),
                            "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "--data-dir" in err and "no such folder" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(["baseline", "--data-dir", str(tmp_path / "empty"),
                            "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "mnist training files not found" in err
    assert not (tmp_path / "out").exists()                # refused before anything was written


def test_corrupt_data_is_a_clear_error(capsys, tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (folder / f"{name}.gz").write_bytes(b"this is not gzip")
    code, _, err = run_cli(["baseline", "--data-dir", str(tmp_path), "--out",
                            str(tmp_path / "out")], capsys)
    assert code == 2 and "could not read the mnist data" in err
    with pytest.raises(DataError):
        load_lab_data("mnist", 300, data_dir=str(tmp_path))


def test_every_script_runs_as_a_module_with_help():
    for name in (None,) + EXPERIMENT_NAMES:
        module = "experiments" if name is None else f"experiments.{name}"
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "--seeds" in done.stdout and "--framework" in done.stdout


def test_user_errors_print_no_traceback():
    done = subprocess.run([sys.executable, "-m", "experiments", "nosuch"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown experiment" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------
# Results on disk, report, resumption
# --------------------------------------------------------------------------
def test_tiny_run_writes_summaries_figures_and_report(capsys, tmp_path):
    code, _, err = run_cli(["baseline", "batchnorm", "l1", "--seeds", "2", "--epochs", "2",
                            "--workers", "1", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert " 1/22] baseline/lecture seed 0" in err        # progress lines

    summary = json.loads((tmp_path / "batchnorm" / "summary.json").read_text())
    assert summary["complete"] and summary["seeds_requested"] == [0, 1]
    shared = summary["configs"]["shared"]
    assert shared["settings"]["batchnorm"] == "shared"
    for key in ("train_acc", "test_acc", "lecture_eval_test_acc"):
        stats = shared["final"][key]
        assert set(stats) == {"per_seed", "mean", "std", "min", "max"}
        assert len(stats["per_seed"]) == 2
        assert stats["min"] <= stats["mean"] <= stats["max"]
        assert stats["mean"] == pytest.approx(np.mean(stats["per_seed"]))
    assert [h["seed"] for h in shared["history"]] == [0, 1]
    assert shared["history"][0]["epoch"] == [1, 2]
    assert shared["lecture_reported_test_acc"] is None    # 2 epochs is not the lecture's setup

    for path in ("baseline/learning_curves.png", "batchnorm/learning_curves.png",
                 "l1/learning_curves.png", "l1/sweep.png", "overview.png"):
        assert (tmp_path / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    assert len(list((tmp_path / "l1" / "seeds").glob("*.json"))) == 18     # 9 configurations

    report = (tmp_path / "REPORT.md").read_text()
    assert "| Experiment | Configuration |" in report
    mean = summary["configs"]["separate"]["final"]["test_acc"]["mean"]
    assert "| batchnorm | four separate BatchNorm1d | 2 |" in report
    assert f"{mean:.4f} ±" in report                      # the table holds the summary's numbers
    assert "![" in report and "batchnorm/learning_curves.png" in report
    assert "Train-test gap in points" in report           # L1 findings, computed


def test_identical_configurations_are_trained_once(capsys, tmp_path):
    code, _, err = run_cli(["baseline", "l2", "--seeds", "1", "--epochs", "1", "--workers", "1",
                            "--out", str(tmp_path)], capsys)
    assert code == 0
    assert "[5/5]" in err                                 # 6 configurations, baseline = L2 λ=0
    base = json.loads((tmp_path / "baseline/seeds/lecture__seed0.json").read_text())
    l2_0 = json.loads((tmp_path / "l2/seeds/l2_0__seed0.json").read_text())
    assert base["final"] == l2_0["final"]


def test_interrupted_run_keeps_finished_seeds_and_resumes(capsys, tmp_path, monkeypatch):
    argv = ["baseline", "--seeds", "3", "--epochs", "2", "--workers", "1", "--out", str(tmp_path)]
    real_run, calls = train.run, []

    def interrupted_on_second_job(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_run(*args, **kwargs)

    monkeypatch.setattr(train, "run", interrupted_on_second_job)
    code, _, err = run_cli(argv, capsys)
    assert code == 130 and "interrupted" in err
    seeds = tmp_path / "baseline" / "seeds"
    assert [p.name for p in seeds.glob("*.json")] == ["lecture__seed0.json"]
    partial = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    assert partial["complete"] is False
    assert partial["configs"]["lecture"]["seeds"] == [0]

    monkeypatch.setattr(train, "run", real_run)
    stored = (seeds / "lecture__seed0.json").read_text()
    code, _, err = run_cli(argv, capsys)
    assert code == 0 and "reusing 1 finished run" in err
    assert (seeds / "lecture__seed0.json").read_text() == stored   # not recomputed
    summary = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    assert summary["complete"] and summary["configs"]["lecture"]["seeds"] == [0, 1, 2]
    code, _, err = run_cli(argv, capsys)                  # nothing left to run
    assert code == 0 and "reusing 3 finished run" in err

    # Stored seeds are reused only when the settings match ...
    code, _, err = run_cli(argv[:-2] + ["--eval-every", "1", "--out", str(tmp_path)], capsys)
    assert code == 0 and "reusing" not in err
    # ... and were computed by the same code (tinynet and the training loop).
    monkeypatch.setattr(lab_config, "code_fingerprint", lambda: "changed-code")
    code, _, err = run_cli(argv, capsys)
    assert code == 0 and "reusing" not in err


def test_worker_processes_give_the_same_numbers(capsys, tmp_path):
    for workers in ("1", "2"):
        code, _, _ = run_cli(["dropout", "--seeds", "2", "--epochs", "2", "--workers", workers,
                              "--out", str(tmp_path / workers)], capsys)
        assert code == 0
    for path in sorted((tmp_path / "1" / "dropout" / "seeds").glob("*.json")):
        serial = json.loads(path.read_text())
        pooled = json.loads((tmp_path / "2" / "dropout" / "seeds" / path.name).read_text())
        assert without_timing({path.name: serial}) == without_timing({path.name: pooled})


# --------------------------------------------------------------------------
# PyTorch backend
# --------------------------------------------------------------------------
def test_tinynet_runs_never_import_torch():
    code = ("import sys, experiments.train, experiments.runner, experiments.cli, tinynet; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("config", [
    RunConfig("baseline", "b", epochs=3, eval_every=1),
    RunConfig("shared_bn", "bn", batchnorm="shared", epochs=2, eval_every=1),
    RunConfig("l1_l2", "p", l1=1e-4, l2=1e-3, epochs=2, eval_every=1),
    RunConfig("momentum", "m", momentum=0.9, lr=0.02, epochs=2, eval_every=1),
    RunConfig("nesterov", "n", momentum=0.9, nesterov=True, lr=0.02, epochs=2, eval_every=1),
    RunConfig("proximal", "p", l1=1e-3, l1_mode="proximal", epochs=2, eval_every=1),
    RunConfig("adam", "a", optimizer="adam", lr=1e-3, epochs=2, eval_every=1),
    RunConfig("adagrad", "g", optimizer="adagrad", lr=1e-2, epochs=2, eval_every=1),
    RunConfig("rmsprop", "r", optimizer="rmsprop", lr=1e-3, epochs=2, eval_every=1),
    RunConfig("init", "i", hidden_layers=5, activation="sigmoid", init="xavier", epochs=2,
              eval_every=1),
    RunConfig("cnn", "c", model="cnn", epochs=2, eval_every=1),
])
def test_torch_twin_follows_the_tinynet_run(data, config):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    tiny = train.run(config, seed=0, data=data, framework="tinynet")
    torch = train.run(config, seed=0, data=data, framework="torch")
    # Same initial weights, same batches: only float32 rounding differs.
    np.testing.assert_allclose(torch["history"]["train_loss"], tiny["history"]["train_loss"],
                               rtol=1e-4)
    np.testing.assert_allclose(torch["history"]["penalty"], tiny["history"]["penalty"], rtol=1e-4)
    np.testing.assert_allclose(torch["history"]["test_acc"], tiny["history"]["test_acc"], atol=2e-3)
    assert abs(torch["final"]["lecture_eval_test_acc"] - tiny["final"]["lecture_eval_test_acc"]) < 5e-3
    # the same weights end exactly 0 (the proximal step) or none do
    assert abs(torch["final"]["zero_weights"] - tiny["final"]["zero_weights"]) < 1e-4


def test_torch_dropconnect_twin_trains(data):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    config = RunConfig("dc", "dc", dropconnect=0.2, epochs=15, eval_every=15)
    torch = train.run(config, seed=0, data=data, framework="torch")
    assert torch["final"]["train_acc"] > 0.5              # it learns, with its own masks
    assert torch["history"]["train_loss"][-1] < torch["history"]["train_loss"][0]


def test_framework_both_writes_side_by_side_summaries(capsys, tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    code, _, err = run_cli(["baseline", "--seeds", "1", "--epochs", "2", "--workers", "1",
                            "--framework", "both", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    tiny = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    torch = json.loads((tmp_path / "baseline" / "summary_torch.json").read_text())
    assert torch["framework"] == "torch" and tiny["framework"] == "tinynet"
    assert (tmp_path / "baseline" / "learning_curves_torch.png").exists()
    report = (tmp_path / "REPORT.md").read_text()
    torch_mean = torch["configs"]["lecture"]["final"]["test_acc"]["mean"]
    assert f"| {torch_mean:.4f} ± " in report             # the PyTorch column is filled
    assert "configurations run in both frameworks" in report
