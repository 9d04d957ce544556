"""The CNN part of the benchmark (experiments/benchmark/cnn.py, designs.py):
its contestants compute PyTorch's step, every alternative design is applied
and checked, and the parts refuse what they must. Smoke tests: speed is
never asserted."""
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from experiments.benchmark import cnn, designs, equivalence, phases
from experiments.benchmark.contestants import TinynetStep, TorchStep, equivalence_check
from experiments.benchmark.network import CNN, LR, init_weights, make_batches
from experiments.benchmark.timing import Entry
from experiments.benchmark.workers import REPO, WORKER, parse_checkouts, worker_env

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch, the reference, is not installed")


class HalfLrTinynet(TinynetStep):
    """A CNN step with a bug: half the learning rate."""

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32, workload=CNN):
        super().__init__(weights, batch_size, lr=lr / 2, dtype=dtype, workload=workload)


@needs_torch
@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_tinynet_cnn_trains_as_pytorch_does(dtype, tolerance, capsys):
    check = equivalence_check({"tinynet": TinynetStep, "torch": TorchStep}, batch_size=10,
                              workload=CNN, reference="torch", dtype=dtype, steps=3)
    assert not check["errors"]
    assert check["max_abs_diff"]["tinynet_vs_torch"] <= tolerance
    assert check["max_abs_update"]["tinynet"] > 1e-3               # the weights did move
    np.testing.assert_allclose(check["losses"]["tinynet"], check["losses"]["torch"],
                               rtol=tolerance * 10)
    assert equivalence.verdict([check])["equivalence_pass"] is True


@needs_torch
def test_a_cnn_contestant_with_another_step_is_refused(capsys):
    check = equivalence_check({"tinynet": HalfLrTinynet, "torch": TorchStep}, batch_size=10,
                              workload=CNN, reference="torch", steps=3)
    assert check["max_abs_diff"]["tinynet_vs_torch"] > 1e-4
    assert equivalence.verdict([check])["equivalence_pass"] is False
    assert "do NOT compute the same step" in capsys.readouterr().out


@needs_torch
def test_both_contestants_start_from_the_given_cnn_weights():
    weights = init_weights(3, CNN)
    assert [w.shape for w, _ in weights] == [(30, 1, 5, 5), (100, 4320), (10, 100)]
    for make in (TinynetStep, TorchStep):
        for (weight, bias), (got_weight, got_bias) in zip(weights, make(weights, 4, workload=CNN).weights()):
            np.testing.assert_allclose(got_weight, weight, rtol=1e-6)
            np.testing.assert_allclose(got_bias, bias, rtol=1e-6)


def test_each_layer_of_the_cnn_is_timed():
    step = TinynetStep(init_weights(0, CNN), 4, workload=CNN)
    x, _ = step.prepare(*make_batches(4, n_batches=1, workload=CNN)[0])
    times = phases.layer_times(step, x, repeats=2)
    names = ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"]
    assert list(times) == [f"{i} {name} {phase}" for i, name in enumerate(names)
                           for phase in ("forward", "backward")]
    assert all(math.isfinite(us) and us >= 0 for us in times.values())


@pytest.mark.parametrize("batch, ratio, verdict", [(10, 1.2, True), (10, 0.9, False),
                                                   (100, 0.5, True), (100, 0.4, False),
                                                   (37, 2.0, None)])
def test_the_cnn_targets(batch, ratio, verdict):
    targets = cnn.check_targets(batch, {"tinynet_vs_torch": ratio})
    assert (targets and targets["torch_pass"]) == verdict


def test_the_plan_gives_twins_and_designs_workers_of_their_own():
    checkouts = parse_checkouts([])
    entries, extras = cnn.plan(checkouts, torch=True, designs=["col2im_add"], malloc_kept=True)
    assert [e.label for e in entries] == ["tinynet", "torch", "tinynet+malloc_kept",
                                          "torch+malloc_kept", "tinynet:col2im_add"]
    assert len({e.worker for e in entries}) == 5
    kept = {extra.key: extra.env for extra in extras}
    assert kept["tinynet+malloc_kept"] == kept["reference+malloc_kept"] == cnn.MALLOC_KEPT
    assert kept["tinynet:col2im_add"] == {}


def test_the_step_memory_of_a_fresh_process():
    found = cnn.step_memory(parse_checkouts([]), [4], torch=False, designs=["maxpool_full_dx"],
                            steps=2)[4]
    assert list(found) == ["tinynet", "tinynet:maxpool_full_dx"]
    for figures in found.values():
        assert figures["peak"] >= figures["rss_before"] > 0 and figures["steps"] == 2
        assert figures["numpy_step_peak"] > 30 * 24 * 24 * 4 * 4      # at least the conv's output
    # MaxPool2d's backward building the whole dX raises the step's peak
    assert found["tinynet:maxpool_full_dx"]["numpy_step_peak"] > found["tinynet"]["numpy_step_peak"]


def _run_design(design):
    """A CNN step of ``design`` in a fresh process (designs patch tinynet for the whole process)."""
    return subprocess.run([sys.executable, str(WORKER), "--count", f"tinynet:{design}",
                           "--workload", "cnn", "--batch", "2", "--steps", "1", "--warmup", "0"],
                          cwd=REPO, env=worker_env(REPO), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("design", list(designs.DESIGNS))
def test_every_design_still_replaces_what_it_names(design):
    done = _run_design(design)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_design_that_is_never_called_is_refused():
    with pytest.raises(designs.DesignError, match="never called its replacement"):
        designs.check_called("col2im_add", lambda: None)
    with pytest.raises(designs.DesignError, match="tinynet.nn has no im2col_by_hand"):
        designs._replace_function("im2col_by_hand", lambda: None)
    with pytest.raises(designs.DesignError, match="unknown design 'faster'"):
        designs.install("faster")


@needs_torch
def test_every_design_computes_the_same_step_in_the_harness(tmp_path):
    """The designs through the whole CNN path: each in its own worker, the
    equivalence check against PyTorch, then timed (batch 2, one round)."""
    out = tmp_path / "designs.json"
    done = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--no-mlp", "--no-epoch",
                           "--no-lecture", "--quick", "--repeats", "1", "--repeat-seconds", "0.01",
                           "--cnn-batches", "2", "--cnn-designs", "all", "--cnn-layers", "--out", str(out)],
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    res = json.loads(out.read_text())["cnn"]
    assert res["design_errors"] == {} and res["equivalence_pass"] is True
    labels = [f"tinynet:{design}" for design in designs.DESIGNS]
    [config] = res["steps"]
    for label in labels:
        assert config["contestants"][label]["steps_per_s"] > 0
        assert config["ratios"][f"{label}_vs_tinynet"] > 0
        assert set(res["layers"]["2"][label]) == set(res["layers"]["2"]["tinynet"])
    assert "| 2 | tinynet:maxpool_where |" in done.stdout
    assert "## Each layer of the CNN called directly, batch 2" in done.stdout


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_callgrind_counts_a_cnn_design(capsys):
    from experiments.benchmark.instructions import count_instructions
    label = "tinynet:col2im_add"
    counts = count_instructions([Entry(label, label, "tinynet", "col2im_add", "cnn")],
                                parse_checkouts([]), [2], steps=1, warmup=1)
    assert isinstance(counts[2][label], float) and 1e5 < counts[2][label] < 1e9, counts
    assert "k instructions/step" in capsys.readouterr().out
