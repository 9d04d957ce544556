"""Stored seeds are checked by value before they are reused: a record whose
numbers no run can produce is named in a warning (file and field) and
recomputed -- never averaged in, and never crashing the report or
--report-only. Real tiny runs, then real files edited on disk."""
import json

import pytest

from experiments.probes import LINEAR_BINS
from helpers import run_cli

TINY = ["--seeds", "2", "--epochs", "2", "--train-size", "20", "--workers", "1"]


def warnings(err):
    return [line for line in err.splitlines() if line.startswith("warning:")]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """{file name: text} of two baseline seeds stored by a real run (copied per test)."""
    from experiments import cli
    out = tmp_path_factory.mktemp("stored")
    assert cli.main(["baseline", *TINY, "--out", str(out)]) == 0
    return {p.name: p.read_text() for p in (out / "baseline" / "seeds").glob("*.json")}


def seed_file(tmp_path, stored, edit):
    """tmp_path holding the stored seeds, seed 1 changed by ``edit(record)``."""
    folder = tmp_path / "baseline" / "seeds"
    folder.mkdir(parents=True)
    for name, text in stored.items():
        (folder / name).write_text(text)
    path = folder / "lecture__seed1.json"
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))
    return path


def setter(*keys, value):
    def edit(record):
        target = record
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return edit


def histogram_of(edit_histogram):
    def edit(record):
        edit_histogram(record["probes"]["weight_histogram"])
    return edit


BAD = [
    (setter("final", "test_acc", value=5.0), "its final 'test_acc' holds 5.0, not a share in [0, 1]"),
    (setter("final", "train_loss", value=-1.0), "its final 'train_loss' holds -1.0, below 0"),
    (setter("final", "test_acc", value=0.5), "its final 'test_acc' is 0.5, but its history says"),
    (setter("history", "train_acc", value=[0.2, 1.5]), "its history 'train_acc' holds 1.5"),
    (setter("history", "epoch", value=[1, 3]), "its history 'epoch' is not 1, 2, ... up to at most 2"),
    (setter("history", "eval_epoch", value=[1, 5]), "'eval_epoch' is not an increasing list"),
    (setter("history", "penalty", value=[0.0]), "its history 'penalty' has 1 values for 2 epochs"),
    (setter("final", "epochs_run", value=7), "its final 'epochs_run' is 7, but its history has 2"),
    (setter("diverged", value={"epoch": 9, "last_finite_loss": 1.0}), "its 'diverged' epoch 9"),
    (histogram_of(lambda h: h["linear"].update(counts=h["linear"]["counts"][:-1])),
     f"weight_histogram 'linear' 'counts' are not {LINEAR_BINS[2]} whole numbers"),
    (histogram_of(lambda h: h["log10_abs"].update(low=-3)),
     "weight_histogram 'log10_abs' is not over [-7, 0]"),
    (histogram_of(lambda h: h.update(count=5)), "weight_histogram 'count' is 5"),
    (setter("probes", "preactivations", "quantiles", value=[[[0.0, 1.0]]]),
     "preactivations 'quantiles' are not increasing finite numbers"),
    (setter("probes", "grad_norms", "epoch", value=[1, 40]), "grad_norms 'epoch' is not a list"),
    (setter("probes", value=None), "its 'probes' are null"),
    (setter("final", "zero_weights", value=1.5), "its final 'zero_weights' holds 1.5, not a share"),
    (histogram_of(lambda h: h.update(zeros=10 ** 6)), "its probes' weight_histogram 'zeros' is "
                                                     "1000000, not a whole number up to the count"),
    (histogram_of(lambda h: h.pop("zeros")), "weight_histogram 'zeros' is None"),
    (setter("epoch_seconds", value=[0.1]), "its 'epoch_seconds' has 1 values for 2 epochs"),
    (setter("epoch_seconds", value=[0.1, -1.0]), "its 'epoch_seconds' is not a list of finite "
                                                 "numbers >= 0"),
]


@pytest.mark.parametrize("edit, problem", BAD)
def test_a_stored_seed_with_impossible_values_is_named_and_recomputed(tmp_path, capsys, stored,
                                                                    edit, problem):
    path = seed_file(tmp_path, stored, edit)
    code, _, err = run_cli(["baseline", *TINY, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    [warning] = warnings(err)
    assert str(path) in warning and problem in warning, warning
    assert "reusing 1 finished run" in err                   # seed 0 was fine
    again, good = json.loads(path.read_text()), json.loads(stored["lecture__seed1.json"])
    for key in ("final", "history", "probes", "diverged"):  # recomputed: the same numbers
        assert again[key] == good[key], key


@pytest.mark.parametrize("edit, problem", BAD[:1] + BAD[9:10])
def test_report_only_skips_such_a_seed_and_says_which(tmp_path, capsys, stored, edit, problem):
    path = seed_file(tmp_path, stored, edit)
    code, _, err = run_cli(["--report-only", "baseline", *TINY, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    [warning] = warnings(err)
    assert str(path) in warning and problem in warning
    summary = json.loads((tmp_path / "baseline" / "summary.json").read_text())
    lecture = summary["configs"]["lecture"]
    assert lecture["seeds"] == [0]                           # never averaged in
    assert 0 <= lecture["final"]["test_acc"]["mean"] <= 1
    assert (tmp_path / "REPORT.md").exists() and (tmp_path / "overview.png").exists()


def test_a_well_formed_seed_of_other_settings_is_stale_not_corrupt(tmp_path, capsys, stored):
    """Other settings are not a problem of the file: recomputed without a warning."""
    seed_file(tmp_path, stored, lambda record: None)
    code, _, err = run_cli(["baseline", "--seeds", "2", "--epochs", "3", "--train-size", "20",
                            "--workers", "1", "--out", str(tmp_path)], capsys)
    assert code == 0 and not warnings(err) and "recomputing 2 stored run(s)" in err
