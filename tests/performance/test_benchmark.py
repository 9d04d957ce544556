"""Tests of the performance harness (``python -m experiments.benchmark``).

Smoke tests: the benchmark runs (as a user would, in a subprocess) and its
JSON holds every figure with a sane value; another checkout is timed side
by side; the parts refuse what they must. Speed is NEVER asserted: timings
on shared machines are noise (the targets' PASS/FAIL is only read).
"""
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments.benchmark import cli, contestants, phases
from experiments.benchmark.ceiling import CeilingStep
from experiments.benchmark.network import LR, init_weights, make_batches

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _data_present():
    root = os.environ.get("TINYNET_DATA")
    return bool(root) and (Path(root) / "mnist").is_dir() and (Path(root) / "fashion-mnist").is_dir()


def _benchmark(tmp_path, *argv):
    out = tmp_path / "benchmark.json"
    proc = subprocess.run([sys.executable, "-m", "experiments.benchmark", *argv, "--out", str(out)],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text()), proc.stdout


def test_benchmark_quick_writes_every_figure(tmp_path):
    res, stdout = _benchmark(tmp_path, "--quick")

    # contestants: tinynet and the ceiling always, torch whenever it is installed
    expected = ["tinynet", "ceiling"]
    if importlib.util.find_spec("torch") is not None:
        expected.insert(1, "torch")
    assert res["contestants"] == expected, res.get("missing_contestants")
    assert res["tinynets"] == ["tinynet"]
    assert any(lib.get("user_api") == "blas" for lib in res["environment"]["threadpool_info"])
    assert Path(res["environment"]["workers"]["tinynet"]["tinynet_file"]).parent == REPO / "tinynet"

    # equivalence: one float64 step of each (every check variant too) ends at the ceiling's
    assert res["equivalence_pass"] is True and res["equivalence_max_abs_diff"] < 1e-10
    variants = [f"tinynet:{v}" for v in ("no_label_check", "no_grad_check", "no_input_check",
                                          "direct")]
    for rec in res["equivalence"]:
        assert not rec["errors"]
        assert set(rec["max_abs_diff"]) == {f"{n}_vs_ceiling" for n in expected + variants
                                            if n != "ceiling"}
        assert all(0 <= v < 1e-10 for v in rec["max_abs_diff"].values())
        assert all(v > 1e-6 for v in rec["max_abs_update"].values())   # the step did update

    # per-step figures: every batch size x thread count, every contestant and variant
    settings = res["settings"]
    assert settings["quick"] is True
    assert {(c["threads"], c["batch_size"]) for c in res["steps"]} == {
        (t, b) for t in settings["threads"] for b in settings["batches"]}
    for cfg in res["steps"]:
        assert cfg["rounds"] >= 1 and 0 <= cfg["clean_rounds"] <= cfg["rounds"]
        for name in expected + variants:
            c = cfg["contestants"][name]
            assert "error" not in c, c
            assert _positive(c["steps_per_s"]) and _positive(c["samples_per_s"])
            assert math.isclose(c["samples_per_s"], c["steps_per_s"] * cfg["batch_size"])
            assert c["min_steps_per_s"] <= c["steps_per_s"] <= c["max_steps_per_s"]
            assert c["finite"]
        assert _positive(cfg["ratios"]["tinynet_vs_ceiling"])
        assert set(cfg["check_costs"]) == set(variants)        # paired differences, per variant
        assert all(math.isfinite(c["us_saved"]) for c in cfg["check_costs"].values())
        if "torch" in expected:
            assert _positive(cfg["ratios"]["tinynet_vs_torch"])
        if cfg["threads"] == 1 and cfg["batch_size"] in (10, 100, 1000):
            assert cfg["targets"]["ceiling_pass"] in (True, False)

    # the four phases of each step, for tinynet and the ceiling
    for batch in settings["batches"]:
        for name in ("tinynet", "ceiling"):
            assert set(res["phases"][str(batch)][name]) == set(phases.PHASES)
            assert all(_positive(us) for us in res["phases"][str(batch)][name].values())

    assert res["lab"]["measured"] is False and res["lab"]["seconds"] is None   # --quick

    # whole runs and memory need the real data
    if _data_present():
        for lec in res["lecture_runs"]:
            assert _positive(lec["seconds"]), lec
            assert 0.5 < lec["test_accuracy"] <= 1.0          # the baseline does learn
        for ep in res["full_epochs"]:
            assert _positive(ep["epoch_seconds"]), ep
            assert ep["samples"] == ep["n_images"] == 60000
        mem = res["memory"]
        assert mem["peak"] >= mem["rss_after_load"] > mem["rss_after_imports"] > 0
        assert mem["dataset_float32_bytes"] == 60000 * 784 * 4
        assert mem["child_modules_loaded"] == []               # no torch in the child
        assert mem["pass"] in (True, False)

    # the printed report: the tables and the verdicts
    for heading in ("| threads | batch |", "## What each check and the tape cost, per step",
                    "## Where the step's time goes"):
        assert heading in stdout, heading
    assert "PASS" in stdout or "FAIL" in stdout


def test_another_checkout_is_timed_side_by_side_and_checked(tmp_path):
    """--compare runs the OTHER checkout's tinynet (here a copy whose SGD
    takes every step twice): its worker imports that copy, it is timed in
    the same rounds, and its different update fails the equivalence check."""
    other = tmp_path / "other"
    shutil.copytree(REPO / "tinynet", other / "tinynet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(other / "tinynet" / "__init__.py", "a") as init:
        init.write("\nfrom .optim import sgd as _sgd\n_real_step = _sgd.SGD.step\n"
                   "_sgd.SGD.step = lambda self: (_real_step(self), _real_step(self))[0]\n")
    res, stdout = _benchmark(tmp_path, "--quick", "--no-epoch", "--no-lecture", "--no-torch",
                             "--batches", "10", "--compare", f"twice={other}")

    assert res["tinynets"] == ["tinynet", "tinynet@twice"]
    assert res["contestants"] == ["tinynet", "tinynet@twice", "ceiling"]
    found = Path(res["environment"]["workers"]["tinynet@twice"]["tinynet_file"])
    assert found == (other / "tinynet" / "__init__.py").resolve()
    [check] = res["equivalence"]
    assert check["max_abs_diff"]["tinynet_vs_ceiling"] < 1e-10
    assert check["max_abs_diff"]["tinynet@twice_vs_ceiling"] > 1e-6
    assert res["equivalence_pass"] is False
    assert "do NOT compute the same step" in stdout

    [cfg] = res["steps"]
    for name in ("tinynet@twice", "tinynet@twice:no_grad_check", "tinynet@twice:direct"):
        assert _positive(cfg["contestants"][name]["steps_per_s"]), name
    assert _positive(cfg["ratios"]["tinynet@twice_vs_ceiling"])
    assert {"tinynet:direct", "tinynet@twice:direct"} <= set(cfg["check_costs"])
    assert set(res["phases"]["10"]) == {"tinynet", "tinynet@twice", "ceiling"}
    assert "tinynet@twice/ceiling" in stdout
    assert any(line.startswith("- batch 10, 1 thread: tinynet@twice/torch")
               for line in stdout.splitlines())


@pytest.mark.parametrize("argv, message", [
    (["--compare", "/no/such/checkout"], "holds no tinynet package"),
    (["--compare", f"tinynet={REPO}"], "the name 'tinynet' is taken"),
    (["--clock", "cpu", "--threads", "1", "2"], "--clock cpu needs --threads 1"),
    (["--batches", "ten"], "whole numbers"),
    (["--repeats", "0"], "must be positive"),
    (["--threads", "0"], "must be positive"),
])
def test_bad_arguments_are_refused(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        cli.parse_args(argv)
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_the_benchmark_is_not_an_experiment():
    from experiments import EXPERIMENT_NAMES
    assert "benchmark" not in EXPERIMENT_NAMES
    done = subprocess.run([sys.executable, "-m", "experiments", "benchmark"], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown experiment 'benchmark'" in done.stderr


# ------------------------------------------------------------------ parts

class HalfStepCeiling(CeilingStep):
    """A ceiling with a bug: it updates with half the learning rate."""

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        super().__init__(weights, batch_size, lr=lr / 2, dtype=dtype)


class FrozenTinynet(contestants.TinynetStep):
    """A tinynet step with a bug: it never updates the weights."""

    def step(self, x, y):
        return self.loss_fn(self.model(x), y)


@pytest.mark.parametrize("makers", [
    {"tinynet": contestants.TinynetStep, "ceiling": HalfStepCeiling},
    {"tinynet": FrozenTinynet, "ceiling": CeilingStep},
])
def test_equivalence_refuses_a_contestant_that_computes_something_else(makers, capsys):
    verdict = cli.equivalence_verdict([contestants.equivalence_check(makers, batch_size=10)])
    assert verdict["equivalence_pass"] is False
    assert "do NOT compute the same step" in capsys.readouterr().out


def test_equivalence_passes_for_the_real_contestants(capsys):
    check = contestants.equivalence_check({"tinynet": contestants.TinynetStep,
                                           "ceiling": CeilingStep}, batch_size=10)
    verdict = cli.equivalence_verdict([check])
    assert verdict["equivalence_pass"] is True and verdict["equivalence_max_abs_diff"] < 1e-10


def test_missing_torch_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)      # `import torch` raises ImportError
    assert 'pip install -e ".[torch]"' in contestants.torch_missing()


def test_tinynet_contestant_starts_from_the_given_weights():
    weights = init_weights(3)
    for dtype in (np.float32, np.float64):
        got = contestants.TinynetStep(weights, 10, dtype=dtype).weights()
        assert len(got) == len(weights)
        for (weight, bias), (got_weight, got_bias) in zip(weights, got):
            np.testing.assert_allclose(got_weight, weight, rtol=1e-6 if dtype == np.float32 else 0)
            np.testing.assert_allclose(got_bias, bias, rtol=1e-6 if dtype == np.float32 else 0)


def test_phases_and_profile_of_tinynet_and_the_ceiling():
    for make in (contestants.TinynetStep, CeilingStep):
        step = make(init_weights(0), 10)
        batches = [step.prepare(x, y) for x, y in make_batches(10)]
        times = phases.phase_times(step, batches)
        assert set(times) == set(phases.PHASES) and all(_positive(us) for us in times.values())
    assert "function calls" in phases.profile(step, batches, top=5)


def test_results_are_written_whole(tmp_path):
    out = tmp_path / "deeper" / "benchmark.json"
    cli.write_results(out, {"a": 1})
    assert json.loads(out.read_text()) == {"a": 1}
    with pytest.raises(ValueError):
        cli.write_results(out, {"a": float("nan")})           # not JSON: refused
    assert json.loads(out.read_text()) == {"a": 1}            # the old file is intact
    assert [p.name for p in out.parent.iterdir()] == ["benchmark.json"]   # no temporary left


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_callgrind_counts_the_instructions_of_one_step(capsys):
    from experiments.benchmark.instructions import count_instructions
    from experiments.benchmark.timing import Entry
    from experiments.benchmark.workers import parse_checkouts
    counts = count_instructions([Entry("tinynet:direct", "tinynet", "tinynet", "direct")],
                                parse_checkouts([]), [10], steps=2, warmup=1)
    per_step = counts[10]["tinynet:direct"]
    assert isinstance(per_step, float) and 1e5 < per_step < 1e8, per_step   # ~2.6 M today
    assert "k instructions/step" in capsys.readouterr().out
