"""The lab's command line: results never lost or corrupt, the lecture's
knobs and the command quoted in the report."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from experiments import cli, report, storage, train

from helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--seeds", "2", "--epochs", "2", "--train-size", "20", "--workers", "1"]



@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if any run starts: the error must come before training."""
    def refuse(*args, **kwargs):
        raise AssertionError("training started")
    monkeypatch.setattr(train, "run", refuse)


def warnings(err):
    return [line for line in err.splitlines() if line.startswith("warning:")]


# --------------------------------------------------------------------------
# --out and --data-dir are checked before any training
# --------------------------------------------------------------------------
def test_out_pointing_at_a_file_is_refused_before_training(capsys, tmp_path, no_training):
    target = tmp_path / "results"
    target.write_text("my notes")
    code, _, err = run_cli(["baseline", *TINY, "--out", str(target)], capsys)
    assert code == 2
    assert err.strip().splitlines() == [                       # one line, no usage block
        f"python -m experiments: error: --out {target}: this is a file, not a folder; choose a "
        "folder for the results"]
    assert target.read_text() == "my notes"


def test_out_that_cannot_be_created_is_refused_before_training(capsys, tmp_path, no_training):
    (tmp_path / "file").write_text("")
    code, _, err = run_cli(["baseline", *TINY, "--out", str(tmp_path / "file" / "results")], capsys)
    assert code == 2 and "cannot write results there" in err and "Traceback" not in err


def test_out_with_missing_parents_is_created(capsys, tmp_path):
    out = tmp_path / "a" / "b" / "results"
    code, _, err = run_cli(["baseline", *TINY, "--out", str(out)], capsys)
    assert code == 0, err
    assert (out / "baseline" / "seeds" / "lecture__seed1.json").exists()
    assert not list(out.rglob("*.tmp"))                       # the write check left nothing


def test_data_dir_that_is_a_file_is_refused(capsys, tmp_path, no_training):
    (tmp_path / "data").write_text("")
    code, _, err = run_cli(["baseline", "--data-dir", str(tmp_path / "data"),
                            "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "is a file, not a folder" in err and len(err.strip().splitlines()) == 1


def test_an_os_error_during_the_run_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch):
    def disk_full(path, obj):
        raise OSError(28, "No space left on device", str(path))
    monkeypatch.setattr(storage, "write_json", disk_full)
    code, _, err = run_cli(["baseline", *TINY, "--out", str(tmp_path)], capsys)
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("python -m experiments: error:") and "No space left on device" in last
    assert "lecture__seed" in last                            # names the file
    assert "Traceback" not in err


def test_report_only_with_a_missing_folder_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments", "--report-only", "--out",
                           str(tmp_path / "nowhere")], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [(
        f"python -m experiments: error: --report-only: no results folder {tmp_path / 'nowhere'} "
        "(it does not exist); run the experiments first, or point --out at their folder")]


# --------------------------------------------------------------------------
# Corrupt or incomplete stored files
# --------------------------------------------------------------------------
def _tiny_run(capsys, out, *extra):
    code, _, err = run_cli(["baseline", *TINY, "--out", str(out), *extra], capsys)
    assert code == 0, err
    return err


@pytest.mark.parametrize("damage, problem", [
    (lambda text: text[: len(text) // 2], "corrupt or truncated JSON"),
    (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "final"}),
     "it has no 'final'"),
    (lambda text: json.dumps({**json.loads(text), "final": {**json.loads(text)["final"],
                                                             "test_acc": "0.76"}}),
     "its final 'test_acc' is missing or not a finite number"),
    (lambda text: json.dumps({**json.loads(text), "history": [1, 2]}), "its 'history' is a list"),
    (lambda text: "[]", "it holds a JSON list, not an object"),
])
def test_a_damaged_seed_file_is_named_and_recomputed(capsys, tmp_path, damage, problem):
    _tiny_run(capsys, tmp_path)
    seed = tmp_path / "baseline" / "seeds" / "lecture__seed1.json"
    good = json.loads(seed.read_text())
    seed.write_text(damage(seed.read_text()))

    err = _tiny_run(capsys, tmp_path)
    named = warnings(err)
    assert len(named) == 1 and str(seed) in named[0] and problem in named[0]
    assert "reusing 1 finished run" in err                     # seed 0 was fine
    again = json.loads(seed.read_text())                       # recomputed, same numbers
    assert again["final"] == good["final"] and again["history"] == good["history"]


def test_a_seed_file_of_another_seed_is_not_reused(capsys, tmp_path):
    _tiny_run(capsys, tmp_path)
    seeds = tmp_path / "baseline" / "seeds"
    (seeds / "lecture__seed1.json").write_text((seeds / "lecture__seed0.json").read_text())
    err = _tiny_run(capsys, tmp_path)
    assert "it holds seed 0" in warnings(err)[0]
    assert json.loads((seeds / "lecture__seed1.json").read_text())["seed"] == 1


def test_report_only_rebuilds_a_truncated_summary_from_the_seeds(capsys, tmp_path):
    _tiny_run(capsys, tmp_path)
    summary = tmp_path / "baseline" / "summary.json"
    good = json.loads(summary.read_text())
    summary.write_text(summary.read_text()[:100])

    code, out, err = run_cli(["--report-only", "baseline", *TINY, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    rebuilt = json.loads(summary.read_text())
    assert rebuilt["configs"]["lecture"]["final"] == good["configs"]["lecture"]["final"]
    assert rebuilt["configs"]["lecture"]["seeds"] == [0, 1]


def test_report_only_skips_a_corrupt_seed_with_a_warning(capsys, tmp_path):
    _tiny_run(capsys, tmp_path)
    seed = tmp_path / "baseline" / "seeds" / "lecture__seed0.json"
    seed.write_text("{")
    code, _, err = run_cli(["--report-only", "baseline", *TINY, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert len(warnings(err)) == 1 and str(seed) in err
    summary = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    assert summary["configs"]["lecture"]["seeds"] == [1]


def test_report_only_without_matching_seeds_says_which_options_to_give(capsys, tmp_path):
    _tiny_run(capsys, tmp_path)
    code, _, err = run_cli(["--report-only", "baseline", "--out", str(tmp_path)], capsys)
    assert code == 2 and "holds no stored seeds for these experiments and options" in err


# --------------------------------------------------------------------------
# Knobs: --lr, --batch-size, --momentum
# --------------------------------------------------------------------------
def test_knobs_reach_the_settings_and_a_changed_knob_recomputes(capsys, tmp_path):
    _tiny_run(capsys, tmp_path, "--lr", "0.05", "--batch-size", "5", "--momentum", "0.9")
    record = json.loads((tmp_path / "baseline/seeds/lecture__seed0.json").read_text())
    settings = record["settings"]
    assert (settings["lr"], settings["batch_size"], settings["momentum"]) == (0.05, 5, 0.9)
    assert record["history"]["epoch"] == [1, 2]
    err = _tiny_run(capsys, tmp_path, "--lr", "0.05", "--batch-size", "5", "--momentum", "0.5")
    assert "reusing" not in err                                # a stale seed is never reused
    assert "recomputing 2 stored run(s) made with other settings or other code" in err
    assert not warnings(err)                                   # stale is not corrupt
    assert json.loads((tmp_path / "baseline/seeds/lecture__seed0.json").read_text()
                      )["settings"]["momentum"] == 0.5


def test_momentum_changes_the_training(tmp_path):
    from experiments.config import RunConfig
    from experiments.data import load_lab_data
    data = load_lab_data("mnist", 20)
    plain = train.run(RunConfig("p", "p", epochs=2, batch_size=5), 0, data)
    heavy = train.run(RunConfig("m", "m", epochs=2, batch_size=5, momentum=0.9), 0, data)
    assert plain["history"]["train_loss"] != heavy["history"]["train_loss"]


@pytest.mark.parametrize("argv, message", [
    (["--lr", "0"], "baseline/lecture: lr must be a finite number greater than 0, got 0.0"),
    (["--lr", "nan"], "lr must be a finite number greater than 0, got nan"),
    (["--lr", "fast"], "--lr: expected a number, got 'fast'"),
    (["--momentum", "1"], "momentum must be at least 0 and below 1, got 1.0"),
    (["--momentum", "-0.1"], "momentum must be at least 0 and below 1"),
    (["--batch-size", "0"], "batch_size must be at least 1, got 0"),
    (["baseline", "--batch-size", "400"], "baseline/lecture: batch_size 400 is larger than the 300 "
                                          "training images of an epoch: no full batch to train on"),
    (["augmentation", "--train-size", "20", "--batch-size", "50"],
     "augmentation/random_rotation: batch_size 50 is larger than the 20 training images"),
])
def test_bad_knobs_exit_with_a_message(argv, message, capsys, tmp_path, no_training):
    code, _, err = run_cli(argv + ["--out", str(tmp_path / "out")], capsys)
    assert code == 2 and message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("settings, field", [
    (dict(lr=0.0), "lr"), (dict(lr=float("inf")), "lr"), (dict(momentum=1.0), "momentum"),
    (dict(batch_size=0), "batch_size"), (dict(train_size=20, batch_size=50), "batch_size"),
])
def test_a_script_setting_is_refused_with_the_message_the_command_line_gives(settings, field):
    from experiments.config import RunConfig, SettingError
    with pytest.raises(SettingError) as refused:
        RunConfig("mine", "mine", **settings)
    assert refused.value.field == field and str(refused.value).startswith(f"mine: {field} ")


def test_the_lectures_rotations_train_on_five_images_per_image():
    from experiments.config import RunConfig
    from experiments.data import load_lab_data
    from experiments.training_images import TrainingImages
    config = RunConfig("r", "r", augmentation="rotations", train_size=20, batch_size=50)
    assert config.images_per_epoch == 100
    images = TrainingImages(config, load_lab_data("mnist", 20))
    assert len(images.images) == len(images.labels) == 100
    assert len(list(images.epoch())) == 2                  # 100 images, batch 50


def test_every_script_has_the_knobs():
    for module in ("experiments", "experiments.dropout", "experiments.l1"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        for option in ("--lr", "--batch-size", "--momentum"):
            assert option in done.stdout, (module, option)


# --------------------------------------------------------------------------
# The report entry point gets what the interfaces promise
# --------------------------------------------------------------------------
def test_write_all_gets_the_command_the_experiments_and_the_records(capsys, tmp_path, monkeypatch):
    calls = []

    def write_all(experiments, frameworks, records, seeds, out, command, plots=True, workers=1):
        calls.append(dict(experiments=experiments, frameworks=frameworks, records=records,
                          seeds=seeds, out=out, command=command, plots=plots, workers=workers))
        return out / "REPORT.md"

    monkeypatch.setattr(report, "write_all", write_all, raising=False)
    argv = ["baseline", "l2", *TINY, "--lr", "0.2", "--out", str(tmp_path / "my results")]
    code, _, err = run_cli(argv, capsys)
    assert code == 0, err
    [call] = calls
    assert call["command"] == ("python -m experiments baseline l2 --seeds 2 --epochs 2 "
                               f"--train-size 20 --workers 1 --lr 0.2 --out '{tmp_path}/my results'")
    assert [e.name for e in call["experiments"]] == ["baseline", "l2"]
    baseline, l2 = call["experiments"]
    assert all(c.lr == 0.2 and c.epochs == 2 for c in l2.configs)        # the configs as run
    assert [c.l2 for c in l2.configs] == [0, 1e-4, 1e-3, 3e-3, 1e-2]
    assert baseline.configs[0].lecture_reported is None                  # not the lecture's setup
    assert call["frameworks"] == ["tinynet"] and call["seeds"] == [0, 1] and call["plots"]
    assert call["workers"] == 1                                          # --workers draws the figures
    assert call["out"] == tmp_path / "my results"
    assert sorted(call["records"]) == sorted(
        (e.name, "tinynet", c.name, s) for e in call["experiments"] for c in e.configs
        for s in (0, 1))
    for (experiment, _, config, seed), record in call["records"].items():
        assert (record["experiment"], record["config"], record["seed"]) == (experiment, config, seed)

    # --report-only passes the stored records and its own command line.
    calls.clear()
    code, _, err = run_cli(["--report-only", *argv], capsys)
    assert code == 0, err
    assert calls[0]["command"].startswith("python -m experiments --report-only baseline")
    assert sorted(calls[0]["records"]) == sorted(call["records"])


def test_a_script_quotes_its_own_module(capsys, tmp_path, monkeypatch):
    from experiments import get_experiment
    seen = []
    monkeypatch.setattr(report, "write_all", lambda *a, **k: seen.append(a[5]) or tmp_path,
                        raising=False)
    code = cli.main([*TINY, "--out", str(tmp_path)], experiment=get_experiment("baseline"))
    assert code == 0
    assert seen == [f"python -m experiments.baseline {' '.join(TINY)} --out {tmp_path}"]


def test_runner_validates_records_it_is_given():
    from experiments.record_check import record_problem
    assert record_problem({"seed": 0}) == "it has no 'framework'"


def test_framework_torch_without_torch_names_the_extra(capsys, tmp_path, monkeypatch, no_training):
    import importlib.util
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real_find_spec(name, *a))
    code, _, err = run_cli(["baseline", "--framework", "torch", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err.strip().splitlines() == ['python -m experiments: error: --framework torch needs '
                                            'PyTorch, which is not installed: pip install -e ".[torch]"']
