"""Tests of the speed benchmark (``python -m experiments.benchmark``).

A smoke test runs it once with ``--quick`` in a subprocess (as a user would)
and checks that the JSON holds every figure with a sane value. Speed targets
are NOT asserted: timings on shared machines are noise; the targets are read
from the benchmark's printed PASS/FAIL lines instead. Smaller tests check
its parts in-process: the equivalence check refuses contestants that
compute something else, the profile's phases, the package's module sizes.
"""
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments.benchmark import cli, contestants, profiling

REPO = Path(__file__).resolve().parents[2]


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def _data_present():
    root = os.environ.get("TINYNET_DATA")
    return bool(root) and (Path(root) / "mnist").is_dir() and (Path(root) / "fashion-mnist").is_dir()


def test_benchmark_quick_writes_every_figure(tmp_path):
    out = tmp_path / "benchmark.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--quick", "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    res = json.loads(out.read_text())

    # contestants: tinynet and the ceiling always, torch whenever it is installed
    expected = {"tinynet", "ceiling"}
    if importlib.util.find_spec("torch") is not None:
        expected.add("torch")
    assert set(res["contestants"]) == expected, res.get("missing_contestants")

    # the configuration is recorded, BLAS included
    assert any(lib.get("user_api") == "blas" for lib in res["environment"]["threadpool_info"])

    # equivalence: one float64 step of each from identical weights agrees
    assert res["equivalence_pass"] is True
    assert res["equivalence_max_abs_diff"] < 1e-10
    for rec in res["equivalence"]:
        assert not rec["errors"]
        assert set(rec["losses"]) == expected
        assert all(0 <= v < 1e-10 for v in rec["max_abs_diff"].values())
        assert all(v > 1e-6 for v in rec["max_abs_update"].values())   # the step did update

    # per-step figures: every batch size x thread count, every contestant
    settings = res["settings"]
    assert settings["quick"] is True
    configs = {(c["threads"], c["batch_size"]) for c in res["steps"]}
    assert configs == {(t, b) for t in settings["threads"] for b in settings["batches"]}
    for cfg in res["steps"]:
        assert cfg["rounds"] >= 1 and 0 <= cfg["clean_rounds"] <= cfg["rounds"]
        for name in expected:
            c = cfg["contestants"][name]
            assert "error" not in c, c
            assert _positive(c["steps_per_s"]) and _positive(c["samples_per_s"])
            assert math.isclose(c["samples_per_s"], c["steps_per_s"] * cfg["batch_size"])
            assert c["min_steps_per_s"] <= c["steps_per_s"] <= c["max_steps_per_s"]
            assert c["finite"]
        assert _positive(cfg["ratios"]["tinynet_vs_ceiling"])
        if "torch" in expected:
            assert _positive(cfg["ratios"]["tinynet_vs_torch"])
        if cfg["threads"] == 1 and cfg["batch_size"] in (10, 100, 1000):
            assert cfg["targets"]["ceiling_pass"] in (True, False)

    # --quick leaves the (minutes-long) lab out
    assert res["lab"]["measured"] is False and res["lab"]["seconds"] is None

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
        assert mem["dataset_uint8_bytes"] == 60000 * 784
        assert mem["child_modules_loaded"] == []               # no torch in the child
        assert mem["pass"] in (True, False)

    # the printed report: the markdown table and the verdicts
    assert "| threads | batch |" in proc.stdout
    assert "PASS" in proc.stdout or "FAIL" in proc.stdout


# ------------------------------------------------------------------ parts

class HalfStepCeiling(contestants.CeilingStep):
    """A ceiling with a bug: it updates with half the learning rate."""

    def __init__(self, weights, batch_size, lr=contestants.LR, dtype=np.float32):
        super().__init__(weights, batch_size, lr=lr / 2, dtype=dtype)


class FrozenCeiling(contestants.CeilingStep):
    """A ceiling with a bug: it never updates the weights."""

    def update(self):
        pass


@pytest.mark.parametrize("broken", [HalfStepCeiling, FrozenCeiling])
def test_equivalence_check_refuses_a_contestant_that_computes_something_else(monkeypatch, broken,
                                                                            capsys):
    monkeypatch.setitem(contestants.ALL, "ceiling", broken)
    verdict = cli.check_equivalence(["tinynet", "ceiling"], [10])
    assert verdict["equivalence_pass"] is False
    assert "do NOT compute the same step" in capsys.readouterr().out


def test_equivalence_check_passes_for_the_real_contestants(capsys):
    verdict = cli.check_equivalence(["tinynet", "ceiling"], [10])
    assert verdict["equivalence_pass"] is True
    assert verdict["equivalence_max_abs_diff"] < 1e-10


def test_missing_torch_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)      # `import torch` raises ImportError
    usable, missing = contestants.available(["tinynet", "torch", "ceiling"])
    assert usable == ["tinynet", "ceiling"]
    assert 'pip install -e ".[torch]"' in missing["torch"]


def test_tinynet_contestant_starts_from_the_given_weights():
    weights = contestants.init_weights(3)
    for dtype in (np.float32, np.float64):
        got = contestants.TinynetStep(weights, 10, dtype=dtype).weights()
        assert len(got) == len(weights)
        for (weight, bias), (got_weight, got_bias) in zip(weights, got):
            np.testing.assert_allclose(got_weight, weight, rtol=1e-6 if dtype == np.float32 else 0)
            np.testing.assert_allclose(got_bias, bias, rtol=1e-6 if dtype == np.float32 else 0)


def test_profile_times_every_phase(capsys):
    profile = profiling.profile_tinynet(batch_size=10, steps=40, top=5)
    for name in ("tinynet", "ceiling"):
        assert set(profile["phases_us"][name]) == set(profiling.PHASES)
        assert all(_positive(us) for us in profile["phases_us"][name].values())
        assert _positive(profile["us_per_step"][name])
    assert "function calls" in profile["text"]
    profiling.print_profile(profile)
    printed = capsys.readouterr().out
    assert all(f"| {phase} |" in printed for phase in profiling.PHASES)
    assert "cProfile of tinynet's step (40 steps" in printed


def test_bad_arguments_are_refused(capsys):
    for argv in (["--batches", "ten"], ["--repeats", "0"], ["--threads", "0"]):
        with pytest.raises(SystemExit) as info:
            cli.parse_args(argv)
        assert info.value.code == 2
    assert "whole numbers" in capsys.readouterr().err


def test_benchmark_modules_stay_small():
    """One job per module, each readable in one sitting."""
    folder = REPO / "experiments" / "benchmark"
    sizes = {path.name: len(path.read_text().splitlines()) for path in folder.glob("*.py")}
    assert {"__main__.py", "cli.py", "contestants.py", "timing.py"} <= set(sizes)
    assert max(sizes.values()) <= 400, sizes


def test_results_are_written_whole(tmp_path):
    out = tmp_path / "deeper" / "benchmark.json"
    cli.write_results(out, {"a": 1})
    assert json.loads(out.read_text()) == {"a": 1}
    with pytest.raises(ValueError):
        cli.write_results(out, {"a": float("nan")})           # not JSON: refused
    assert json.loads(out.read_text()) == {"a": 1}            # the old file is intact
    assert [p.name for p in out.parent.iterdir()] == ["benchmark.json"]   # no temporary left
