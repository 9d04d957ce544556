"""experiments/probes.py: which runs are probed, what is recorded, and that
probing never changes the run (eval mode, BatchNorm statistics untouched)."""
import json

import numpy as np
import pytest

import tinynet as tn
from experiments import probes
from experiments.learner import TinynetLearner
from experiments.config import RunConfig
from experiments.models import build_model


def learner_for(config, seed=0):
    tn.manual_seed(seed)
    return TinynetLearner(build_model(config), config)


def sgd_step(learner, x, y):
    """One step of the training loop (train._train_epoch's order)."""
    learner.loss(learner.forward(x), y)
    learner.backward()
    learner.update()


def batch(rows=300, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((rows, 784), dtype=np.float32), rng.integers(0, 10, rows)


@pytest.mark.parametrize("config, kinds", [
    (RunConfig("b", "b"), {"preactivations", "grad_norms", "weight_histogram"}),
    (RunConfig("s", "s", batchnorm="shared"), {"preactivations", "grad_norms"}),
    (RunConfig("p", "p", batchnorm="separate"), {"preactivations", "grad_norms"}),
    (RunConfig("l1", "l1", l1=1e-4), {"weight_histogram"}),
    (RunConfig("l2", "l2", l2=1e-3), {"weight_histogram"}),
    (RunConfig("p", "p", l1=1e-3, l1_mode="proximal"), {"weight_histogram"}),
    (RunConfig("m", "m", momentum=0.9), {"preactivations", "grad_norms", "weight_histogram"}),
    (RunConfig("i", "i", hidden_layers=5, activation="sigmoid", init="xavier"), {"activations"}),
])
def test_probed_configurations_record_what_their_figures_need(config, kinds):
    config = RunConfig(**{**config.__dict__, "epochs": 6})
    learner = learner_for(config)
    probe = probes.for_run(config, learner, batch()[0])
    x, y = batch()
    for epoch in range(1, config.epochs + 1):
        learner.train()
        for step in range(4):
            sgd_step(learner, x[10 * step:10 * step + 10], y[10 * step:10 * step + 10])
            probe.after_step(learner, epoch, step)
        learner.eval()
        probe.after_epoch(learner, epoch, x)
    result = probe.result()
    assert set(result) == kinds
    json.dumps(result, allow_nan=False)                     # JSON-safe: finite numbers only
    if "preactivations" in result:
        assert result["preactivations"]["epoch"] == probes.sampled_epochs(6)
        quantiles = np.array(result["preactivations"]["quantiles"])
        assert quantiles.shape == (len(probes.sampled_epochs(6)), 4, len(probes.QUANTILES))
        assert np.all(np.diff(quantiles, axis=2) >= 0)      # 5 % <= 25 % <= ... <= 95 %
        norms = np.array(result["grad_norms"]["norms"])
        assert norms.shape == (len(probes.sampled_epochs(6)), 5) and np.all(norms > 0)
    if "weight_histogram" in result:
        hist = result["weight_histogram"]
        weights = sum(p.data.size for p in learner.model.parameters() if p.penalized)
        assert hist["count"] == weights == 784 * 100 + 3 * 100 * 100 + 100 * 10
        assert sum(hist["linear"]["counts"]) == weights == sum(hist["log10_abs"]["counts"])


@pytest.mark.parametrize("config", [
    RunConfig("d", "d", dropout=0.2), RunConfig("dc", "dc", dropconnect=0.2),
    RunConfig("a", "a", augmentation="shift"),
    RunConfig("es", "es", val_size=100, patience=5),
    RunConfig("adam", "adam", optimizer="adam", lr=1e-3),
    RunConfig("sel", "sel", val_size=100, test_evaluation="never"),
    RunConfig("deep", "deep", hidden_layers=5),
])
def test_configurations_without_probe_figures_are_not_probed(config):
    assert probes.for_run(config, learner_for(config), batch()[0]) is None


def test_a_full_length_probe_record_is_a_few_kilobytes():
    config = RunConfig("b", "b")                            # 100 epochs
    learner = learner_for(config)
    probe = probes.for_run(config, learner, batch()[0])
    x, y = batch()
    for epoch in range(1, 101):
        learner.train()
        if epoch in probe.sample_at:                        # other epochs' steps record nothing
            for step in range(probes.GRAD_STEPS_PER_EPOCH + 1):
                sgd_step(learner, x[:10], y[:10])
                probe.after_step(learner, epoch, step)
        learner.eval()
        probe.after_epoch(learner, epoch, x)
    size = len(json.dumps(probe.result(), allow_nan=False))
    assert 1000 < size < 8000, size


@pytest.mark.parametrize("batchnorm", ["shared", "separate", "none"])
def test_relu_inputs_follow_the_models_own_forward(batchnorm):
    config = RunConfig("m", "m", batchnorm=batchnorm)
    model = learner_for(config).model
    model.eval()
    x, _ = batch(50)
    with tn.no_grad():
        inputs = probes.relu_inputs(model, x)
        expected = model(x)
        last_layer = model.fc5 if batchnorm == "shared" else model[len(model) - 1]
        logits = last_layer(np.maximum(inputs[-1], 0))
    assert len(inputs) == 4 and all(z.shape == (50, 100) for z in inputs)
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-6)


def test_probing_leaves_batchnorm_statistics_and_the_mode_alone():
    config = RunConfig("s", "s", batchnorm="shared", epochs=3)
    learner = learner_for(config)
    probe = probes.for_run(config, learner, batch()[0])
    x, y = batch()
    sgd_step(learner, x[:10], y[:10])
    before = {k: np.array(v, copy=True) for k, v in learner.state_dict().items()}
    learner.train()
    probe.after_epoch(learner, 1, x)
    assert learner.model.training                          # the mode is restored
    for key, value in learner.state_dict().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)


def test_non_finite_values_are_never_recorded():
    config = RunConfig("b", "b", epochs=2)
    learner = learner_for(config)
    probe = probes.for_run(config, learner, batch()[0])
    x, y = batch()
    sgd_step(learner, x[:10], y[:10])
    probe.after_step(learner, 1, 0)
    weight = next(p for p in learner.model.parameters() if p.penalized)
    weight.data[0, 0] = np.inf                             # a diverging run
    weight.grad[0, 0] = np.nan
    probe.after_step(learner, 1, 1)
    with np.errstate(all="ignore"):
        probe.after_epoch(learner, 1, x)
    result = probe.result()
    json.dumps(result, allow_nan=False)
    assert result["grad_norms"]["epoch"] == []             # the NaN-polluted mean is dropped
    assert result["preactivations"]["epoch"] == []
    assert result["weight_histogram"]["count"] == 784 * 100 + 3 * 100 * 100 + 100 * 10 - 1


def test_quantiles_are_numpys_percentiles_of_the_float64_values_exactly():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((300, 100)).astype(np.float32)
    z[:, :30] = 0.0                                        # ties, as a dead ReLU gives
    z[:5, 30] = np.inf
    expected = np.percentile(z.astype(np.float64), probes.QUANTILES)
    np.testing.assert_array_equal(probes._quantiles(z), expected)
    z[7, 50] = np.nan                                      # NaN in, NaN out (the epoch is dropped)
    assert np.all(np.isnan(probes._quantiles(z)))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_activation_histograms_count_the_layers_outputs_at_initialisation(activation):
    config = RunConfig("i", "i", hidden_layers=5, activation=activation, init="he")
    learner = learner_for(config)
    x, y = batch()
    probe = probes.for_run(config, learner, x)
    with tn.no_grad():
        outputs = probes.activation_outputs(learner.model, x)
    sgd_step(learner, x[:10], y[:10])                      # recorded before: training changes nothing
    block = probe.result()["activations"]
    assert block["rows"] == 300 and len(block["layers"]) == 5
    for layer, a in zip(block["layers"], outputs):
        assert a.shape == (300, 100)
        expected = np.histogram(a[a <= 1], bins=30, range=(0, 1))[0]
        np.testing.assert_array_equal(layer["counts"], expected)
        assert layer["above"] == np.sum(a > 1) and layer["zeros"] == np.sum(a == 0)
        assert layer["std"] == pytest.approx(a.std(), rel=1e-3)
    if activation == "sigmoid":
        assert all(layer["zeros"] == 0 and layer["above"] == 0 for layer in block["layers"])


def test_cnn_filters_are_recorded_before_and_after_training_and_never_non_finite():
    config = RunConfig("c", "c", model="cnn")
    learner = learner_for(config)
    x = np.random.default_rng(0).random((20, 1, 28, 28), dtype=np.float32)
    y = np.arange(20) % 10
    probe = probes.for_run(config, learner, x)
    initial = learner.model[0].weight.data.reshape(30, 25).copy()
    sgd_step(learner, x[:10], y[:10])
    filters = probe.result()["filters"]
    np.testing.assert_allclose(filters["initial"], initial, rtol=1e-3)
    np.testing.assert_allclose(filters["learned"], learner.model[0].weight.data.reshape(30, 25),
                               rtol=1e-3)
    assert filters["learned"] != filters["initial"]
    learner.model[0].weight.data[0, 0, 0, 0] = np.nan      # a diverging run
    assert probe.result()["filters"]["learned"] is None
