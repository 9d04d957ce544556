"""The cnn, optimizers and init experiments: their configurations, the
models and data shapes they need, and one tiny real lab run of all three
(real MNIST files, real training, real figures and reports)."""
import json
import re

import numpy as np
import pytest

import tinynet as tn
from experiments import EXPERIMENT_NAMES, get_experiment, train
from experiments.config import RunConfig, SettingError
from experiments.data import load_lab_data
from experiments.evaluation import Splits
from experiments.models import build_model, parameter_counts
from experiments.record_check import record_problem, value_problem
from experiments.training_images import TrainingImages
from helpers import run_cli

NEW = ("cnn", "optimizers", "init")
TINY = ["--seeds", "2", "--epochs", "1", "--train-size", "40", "--workers", "1"]


# --------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------
def test_the_new_experiments_are_part_of_the_full_lab():
    assert set(NEW) <= set(EXPERIMENT_NAMES)
    for name in NEW:
        experiment = get_experiment(name)
        assert experiment.name == name and experiment.figures


def test_cnn_compares_simpleconvnet_with_the_mlp_on_equal_terms():
    cnn, mlp = get_experiment("cnn").configs
    assert (cnn.model, mlp.model) == ("cnn", "mlp")
    same = ("dataset", "train_size", "epochs", "lr", "batch_size", "eval_every", "optimizer")
    assert {k: getattr(cnn, k) for k in same} == {k: getattr(mlp, k) for k in same}
    model = build_model(cnn)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"]
    assert (model[0].weight.data.shape, model[4].weight.data.shape) == ((30, 1, 5, 5), (100, 4320))


@pytest.mark.parametrize("config", [RunConfig("c", "c", model="cnn"), RunConfig("m", "m"),
                                    RunConfig("i", "i", hidden_layers=5, activation="sigmoid")])
def test_parameter_counts_are_the_models_own(config):
    counted = sum(n for _, n in parameter_counts(config))
    assert counted == sum(p.data.size for p in build_model(config).parameters())


def test_optimizers_chooses_among_selection_runs_that_never_see_the_test_set():
    experiment = get_experiment("optimizers")
    configs = {c.name: c for c in experiment.configs}
    assert len(experiment.choices) == 6
    expected = {"sgd": ("sgd", 0.0, False), "momentum": ("sgd", 0.9, False),
                "nesterov": ("sgd", 0.9, True), "adagrad": ("adagrad", 0.0, False),
                "rmsprop": ("rmsprop", 0.0, False), "adam": ("adam", 0.0, False)}
    for choice in experiment.choices:
        runs = [configs[name] for name in choice.among]
        assert len(runs) >= 3 and len({r.lr for r in runs}) == len(runs)
        for run in runs:
            assert run.test_evaluation == "never" and run.val_size == 1000
            assert (run.optimizer, run.momentum, run.nesterov) == expected[choice.name]
            others = {k: v for k, v in run.settings().items() if k != "lr"}
            assert others == {k: v for k, v in runs[0].settings().items() if k != "lr"}


def test_init_crosses_two_activations_with_three_initialisations():
    configs = get_experiment("init").configs
    assert {(c.activation, c.init) for c in configs} == {
        (a, i) for a in ("sigmoid", "relu") for i in ("std0.01", "xavier", "he")}
    assert all(c.hidden_layers == 5 and c.model == "mlp" for c in configs)


@pytest.mark.parametrize("init, std", [("std0.01", lambda fan_in, fan_out: 0.01),
                                       ("xavier", lambda fan_in, fan_out: np.sqrt(2 / (fan_in + fan_out))),
                                       ("he", lambda fan_in, fan_out: np.sqrt(2 / fan_in))])
def test_initialisations_draw_the_weights_with_their_formula(init, std):
    tn.manual_seed(0)
    model = build_model(RunConfig("i", "i", hidden_layers=5, init=init))
    for layer in (layer for layer in model if hasattr(layer, "weight")):
        w = layer.weight.data
        fan_out, fan_in = w.shape
        assert abs(w.std() / std(fan_in, fan_out) - 1) < 0.06, (init, w.shape)
        assert np.all(layer.bias.data == 0)


@pytest.mark.parametrize("settings, message", [
    (dict(model="cnn", dropout=0.2), "dropout applies to the MLP only"),
    (dict(model="cnn", hidden_layers=5), "hidden_layers applies to the MLP only"),
    (dict(optimizer="adam", momentum=0.9), "momentum is a setting of SGD, not of adam"),
    (dict(optimizer="rmsprop", l2=1e-3), "l2 is a setting of SGD, not of rmsprop"),
    (dict(nesterov=True), "nesterov needs momentum > 0"),
    (dict(l1_mode="proximal"), "l1_mode 'proximal' needs an L1 penalty"),
    (dict(test_evaluation="never"), "test_evaluation 'never' needs a validation set"),
    (dict(init="glorot"), "init must be one of default, std0.01, xavier, he, got 'glorot'"),
    (dict(batchnorm="shared", activation="sigmoid"), "activation must be relu with the lecture's"),
])
def test_settings_that_do_not_go_together_are_refused_by_name(settings, message):
    with pytest.raises(SettingError, match=re.escape(message)):
        RunConfig("x", "x", **settings)


@pytest.mark.parametrize("argv, message", [
    (["optimizers", "--lr", "0.05"], "optimizers sets --lr itself (each optimizer's learning rate "
                                      "is chosen on validation data)"),
    (["--momentum", "0.9"], "optimizers sets --momentum itself"),
])
def test_the_command_line_cannot_override_what_optimizers_chooses(argv, message, capsys, tmp_path):
    code, _, err = run_cli(argv + ["--out", str(tmp_path)], capsys)
    assert code == 2 and message in err
    assert not list(tmp_path.iterdir())                   # refused before anything ran


# --------------------------------------------------------------------------
# The CNN sees images, the MLP vectors
# --------------------------------------------------------------------------
def test_images_reach_the_cnn_as_n_1_28_28_and_the_mlp_as_n_784():
    data = load_lab_data("mnist", 30, val_size=20)
    for config, shape in ((RunConfig("c", "c", model="cnn", val_size=20), (1, 28, 28)),
                          (RunConfig("m", "m", val_size=20), (784,))):
        tn.manual_seed(0)
        x, y = next(iter(TrainingImages(config, data).epoch()))
        assert x.shape == (10, *shape) and x.dtype == np.float32 and 0 <= x.min() <= x.max() <= 1
        splits = Splits.of(data, config)
        assert splits.train[0].shape == (30, *shape) and splits.val[0].shape == (20, *shape)
        assert splits.test[0].shape == (10000, *shape)
        flat = splits.train[0].reshape(30, -1)        # the same pixels, in the same order
        np.testing.assert_array_equal(flat, data.train_images.reshape(30, -1) / np.float32(255))


def test_a_cnn_run_records_its_filters_and_timing():
    config = RunConfig("c", "c", model="cnn", train_size=40, epochs=2, eval_every=1)
    record = train.run(config, 0, load_lab_data("mnist", 40))
    assert record_problem(record) is None and value_problem(record, config) is None
    filters = record["probes"]["filters"]
    assert np.array(filters["initial"]).shape == np.array(filters["learned"]).shape == (30, 25)
    assert filters["initial"] != filters["learned"]
    assert len(record["epoch_seconds"]) == 2 and all(s > 0 for s in record["epoch_seconds"])


# --------------------------------------------------------------------------
# One tiny real lab run of the three
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_lab(tmp_path_factory):
    from experiments import cli
    out = tmp_path_factory.mktemp("new")
    code = cli.main([*NEW, *TINY, "--out", str(out)])
    assert code == 0
    return out


def test_the_tiny_lab_writes_every_summary_and_figure(tiny_lab):
    for name in NEW:
        summary = json.loads((tiny_lab / name / "summary.json").read_text())
        assert summary["complete"] and summary["seeds_requested"] == [0, 1]
    for figure in ("cnn/learning_curves.png", "cnn/compared.png", "cnn/filters.png",
                   "optimizers/learning_curves.png", "optimizers/compared.png",
                   "optimizers/selection.png", "init/learning_curves.png", "init/compared.png",
                   "init/activations.png"):
        assert (tiny_lab / figure).read_bytes()[:4] == b"\x89PNG", figure


@pytest.mark.parametrize("report, section, words", [
    ("REPORT.md", "## A convolutional network (CNN) against the MLP", "Time per epoch of training"),
    ("REPORT.ko.md", "## 합성곱 신경망(CNN)과 MLP", "에폭 하나의 학습 시간"),
    ("REPORT.md", "## Six optimizers, each at a learning rate chosen on validation data",
     "chosen on the 1,000 validation images (never the test set)"),
    ("REPORT.ko.md", "## 옵티마이저 여섯 가지", "테스트 세트는 전혀 쓰지 않음"),
    ("REPORT.md", "## Weight initialisation: std 0.01, Xavier and He",
     "standard deviation of the activations at initialisation"),
    ("REPORT.ko.md", "## 가중치 초기화", "초기화 직후 활성화 값의 표준편차"),
])
def test_the_tiny_lab_reports_each_experiment_in_both_languages(tiny_lab, report, section, words):
    text = (tiny_lab / report).read_text(encoding="utf-8")
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    assert words in body
    assert "![" in body


def test_the_reported_time_per_epoch_is_the_stored_runs(tiny_lab):
    text = (tiny_lab / "REPORT.md").read_text()
    for name in ("cnn", "mlp"):
        seconds = []
        for seed in (0, 1):
            record = json.loads((tiny_lab / "cnn" / "seeds" / f"{name}__seed{seed}.json").read_text())
            seconds.append(np.mean(record["epoch_seconds"]))
        assert f"{np.mean(seconds):.3g} ± {np.std(seconds, ddof=1):.2g} s" in text, name


def test_selection_runs_hold_no_test_number_and_the_best_validation_rate_is_reported(tiny_lab):
    seeds = tiny_lab / "optimizers" / "seeds"
    experiment = get_experiment("optimizers")
    chosen_rates = []
    for choice in experiment.choices:
        scores = []
        for name in choice.among:
            records = [json.loads((seeds / f"{name}__seed{s}.json").read_text()) for s in (0, 1)]
            for record in records:
                assert not any("test" in key for key in record["final"])
                assert all(record["history"][key] == []
                           for key in ("eval_epoch", "test_loss", "test_acc"))
            scores.append(np.mean([r["final"]["val_acc"] for r in records]))
        best = choice.among[int(np.argmax(scores))]
        reported = json.loads((seeds / f"{choice.name}__seed0.json").read_text())
        winner = json.loads((seeds / f"{best}__seed0.json").read_text())
        assert reported["settings"]["lr"] == winner["settings"]["lr"]
        assert reported["settings"]["test_evaluation"] == "schedule"
        assert reported["settings"]["val_size"] == 0
        assert "test_acc" in reported["final"]
        chosen_rates.append(str(reported["settings"]["lr"]))
    text = (tiny_lab / "REPORT.md").read_text()
    section = text.split("## Six optimizers", 1)[1]
    setup = next(line for line in section.splitlines() if line.startswith("Setup:"))
    assert f"lr {'/'.join(dict.fromkeys(chosen_rates))}, batch" in setup   # the reported runs' rates
    assert "SGD, lr" not in text.split("| Experiment |", 1)[1].split("\n\n", 1)[0]  # no table row


def test_a_rerun_of_the_tiny_lab_reuses_both_passes(tiny_lab, capsys):
    code, _, err = run_cli([*NEW, *TINY, "--out", str(tiny_lab)], capsys)
    assert code == 0
    assert err.count("reusing") == 2 and "recomputing" not in err
    code, _, err = run_cli(["--report-only", *NEW, *TINY, "--out", str(tiny_lab)], capsys)
    assert code == 0, err
    text = (tiny_lab / "REPORT.md").read_text()
    assert "| optimizers | Adam |" in text                  # the chosen runs, from disk
