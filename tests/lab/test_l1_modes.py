"""L1 both ways: the lecture's subgradient step leaves no weight exactly 0,
the proximal step makes weights exactly 0; every run stores how many, and
the report and the weight figure state those shares."""
import json

import numpy as np
import pytest

from experiments import get_experiment, train
from experiments.config import RunConfig
from experiments.data import load_lab_data
from experiments.figures.weights import plot_weight_histograms
from experiments.record_check import record_problem, value_problem
from helpers import run_cli


@pytest.fixture(scope="module")
def runs():
    data = load_lab_data("mnist", 60)
    out = {}
    for mode in ("subgradient", "proximal"):
        config = RunConfig(mode, mode, l1=1e-3, l1_mode=mode, train_size=60, epochs=3, eval_every=3)
        out[mode] = (config, train.run(config, 0, data))
    return out


def test_the_sweep_runs_both_modes_for_the_same_lambdas():
    configs = get_experiment("l1").configs
    modes = {}
    for c in configs:
        modes.setdefault(c.l1_mode, set()).add(c.l1)
    assert modes["proximal"] == modes["subgradient"] - {0.0}
    assert all(c.optimizer == "sgd" for c in configs)


def test_only_the_proximal_step_makes_weights_exactly_zero(runs):
    sub, prox = runs["subgradient"][1], runs["proximal"][1]
    for config, record in runs.values():
        assert record_problem(record) is None and value_problem(record, config) is None
    assert sub["final"]["zero_weights"] == 0.0
    assert prox["final"]["zero_weights"] > 0.01
    for config, record in runs.values():            # the share and the histogram's count agree
        hist = record["probes"]["weight_histogram"]
        assert hist["zeros"] == round(record["final"]["zero_weights"] * hist["count"])
        assert hist["zeros"] <= hist["log10_abs"]["counts"][0]
    # the subgradient step still pulls weights close to 0: more near-zero weights than exact ones
    assert sub["final"]["near_zero_weights"] > sub["final"]["zero_weights"]


def test_the_weight_figure_states_each_modes_share_of_exact_zeros(runs, tmp_path):
    rows = [(1e-3, 0.1, {"weight_histogram": {**r["probes"]["weight_histogram"], "seeds": 1}},
             config.l1_mode) for config, r in runs.values()]
    figure = plot_weight_histograms([("l1", rows)], tmp_path)
    assert (tmp_path / figure.path).read_bytes()[:4] == b"\x89PNG"
    for mode, (config, record) in runs.items():
        share = f"{record['final']['zero_weights']:.1%}"
        assert share in figure.what_to_see.en and share in figure.what_to_see.ko, mode
    assert "lands on 0 only by chance: 0.0% exactly 0" in figure.what_to_see.en
    assert "sets every weight that would cross 0 to exactly 0" in figure.what_to_see.en


def test_the_report_states_the_shares_of_the_stored_runs(capsys, tmp_path):
    code, _, err = run_cli(["l1", "--seeds", "2", "--epochs", "2", "--train-size", "40",
                            "--workers", "1", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    shares = {}
    for path in (tmp_path / "l1" / "seeds").glob("l1_0.001*__seed*.json"):
        record = json.loads(path.read_text())
        shares.setdefault(record["settings"]["l1_mode"], []).append(record["final"]["zero_weights"])
    english = (tmp_path / "REPORT.md").read_text()
    korean = (tmp_path / "REPORT.ko.md").read_text(encoding="utf-8")
    proximal = f"{np.mean(shares['proximal']):.1%} at λ=0.001"
    assert proximal in english and f"λ=0.001에서 {np.mean(shares['proximal']):.1%}" in korean
    assert shares["subgradient"] == [0.0, 0.0]
    assert "no weight is exactly 0 in any run, at any λ" in english
    assert "어떤 λ의 어떤 실행에서도 정확히 0인 가중치가 없다" in korean
    assert "(nearly) exactly at zero" not in english
