"""tinynet.predict / tinynet.accuracy: batched, eval mode, no_grad, modes restored, misuse refused."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def model_with_modes():
    """Dropout and BatchNorm: its predictions depend on train/eval mode."""
    tn.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))


def data(n=23, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)).astype(dtype), rng.integers(0, 4, size=n)


def manual_predictions(model, x):
    model.eval()
    with tn.no_grad():
        out = np.concatenate([model(x[i:i + 1]).argmax(axis=1) for i in range(len(x))])
    model.train()
    return out


def warm_up(model, x, y, steps=5):
    """A few training steps, so the running statistics are not the initial ones."""
    loss_fn, opt = nn.CrossEntropyLoss(), tn.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss_fn(model(x), y)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()


@pytest.mark.parametrize("batch_size", [1, 5, 23, 1000, np.int64(7)])
def test_predict_and_accuracy_equal_a_manual_loop(batch_size):
    model = model_with_modes()
    x, y = data()
    warm_up(model, x, y)
    expected = manual_predictions(model, x)
    predictions = tn.predict(model, x, batch_size=batch_size)
    assert predictions.shape == (23,) and predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, expected)
    acc = tn.accuracy(model, x, y, batch_size=batch_size)
    assert type(acc) is float and 0.0 <= acc <= 1.0
    assert acc == np.count_nonzero(expected == y) / 23


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_any_integer_labels(dtype):
    """MNIST's labels are uint8."""
    model = model_with_modes()
    x, y = data()
    assert tn.accuracy(model, x, y.astype(dtype)) == tn.accuracy(model, x, y)


def test_accuracy_of_a_perfect_and_a_hopeless_labelling():
    model = model_with_modes()
    x, _ = data()
    predictions = tn.predict(model, x)
    assert tn.accuracy(model, x, predictions) == 1.0
    assert tn.accuracy(model, x, (predictions + 1) % 4) == 0.0


def test_predict_runs_in_eval_mode_and_changes_no_state():
    """Dropout off and BatchNorm on its running statistics; the running statistics do not move."""
    model = model_with_modes()
    x, y = data()
    warm_up(model, x, y)
    running = model[1].running_mean.copy(), model[1].running_var.copy()
    first, second = tn.predict(model, x), tn.predict(model, x)
    np.testing.assert_array_equal(first, second)              # no dropout randomness
    np.testing.assert_array_equal(model[1].running_mean, running[0])
    np.testing.assert_array_equal(model[1].running_var, running[1])


@pytest.mark.parametrize("set_mode", [
    lambda m: m.train(),
    lambda m: m.eval(),
    lambda m: (m.train(), m[3].eval()),               # mixed: only the dropout in eval mode
    lambda m: (m.eval(), m[1].train()),               # mixed: only the batchnorm in train mode
])
def test_each_modules_mode_is_restored(set_mode):
    model = model_with_modes()
    set_mode(model)
    modes = [m.training for m in model.modules()]
    x, y = data()
    tn.predict(model, x, batch_size=4)
    assert [m.training for m in model.modules()] == modes
    tn.accuracy(model, x, y)
    assert [m.training for m in model.modules()] == modes


class FailsOnSecondBatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.drop = nn.Dropout(0.5)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        assert not self.training and not self.drop.training   # predict switched to eval mode
        if self.calls == 2:
            raise RuntimeError("boom")
        return self.drop(self.fc(x))


def test_modes_are_restored_after_an_error():
    model = FailsOnSecondBatch()
    model.train()
    x, y = data(10)
    with pytest.raises(RuntimeError, match="boom"):
        tn.accuracy(model, x, y, batch_size=5)
    assert model.training and model.drop.training


def test_predict_between_forward_and_backward_does_not_change_the_gradient():
    """predict runs under no_grad: the training forward is still the one backpropagated."""
    x, y = data()
    grads = []
    for evaluate in (False, True):
        model = model_with_modes()
        model.eval()                          # deterministic forward
        loss_fn = nn.CrossEntropyLoss()
        loss_fn(model(x), y)
        if evaluate:
            tn.predict(model, data(7, seed=1)[0])
        model.backward(loss_fn.backward())
        grads.append([p.grad.copy() for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


def test_predict_on_no_examples():
    model = model_with_modes()
    out = tn.predict(model, np.zeros((0, 6), np.float32))
    assert out.shape == (0,) and out.dtype == np.int64


def test_model_without_parameters_takes_any_float_dtype():
    model = nn.Sequential(nn.ReLU())
    x = np.array([[1.0, -2.0, 3.0], [-1.0, 5.0, 0.5]])
    np.testing.assert_array_equal(tn.predict(model, x), [2, 1])
    np.testing.assert_array_equal(tn.predict(model, x.astype(np.float32)), [2, 1])


# -- misuse -----------------------------------------------------------------------
@pytest.mark.parametrize("x, error, message", [
    (np.zeros((3, 6), np.uint8), TypeError, r"x is a uint8 array but the model needs floats; scale the images "
                                            r"first, e.g. x.astype\(np.float32\) / 255"),
    (np.zeros((3, 6), np.int64), TypeError, r"x is a int64 array but the model needs floats"),
    (np.zeros((3, 6), np.float64), TypeError, r"x is float64 but the model's parameters are float32; "
                                              r"convert x \(x.astype\(np.float32\)\)"),
    (np.zeros(6, np.float32), ValueError, r"x must be a batch of shape \(N, ...\), got shape \(6,\); "
                                          r"for a single example use x\[None\]"),
    ([[0.0] * 6], TypeError, r"x must be a numpy array"),
])
def test_bad_inputs(x, error, message):
    with pytest.raises(error, match="predict: " + message):
        tn.predict(model_with_modes(), x)


def test_float64_model_names_its_dtype():
    model = model_with_modes().double()
    with pytest.raises(TypeError, match=r"x is a uint8 array .* x.astype\(np.float64\) / 255"):
        tn.predict(model, np.zeros((2, 6), np.uint8))
    with pytest.raises(TypeError, match=r"x is float32 but the model's parameters are float64"):
        tn.accuracy(model, np.zeros((2, 6), np.float32), np.zeros(2, np.int64))


@pytest.mark.parametrize("batch_size", [0, -5, 2.5, True, "10", None])
def test_bad_batch_size(batch_size):
    x, y = data()
    with pytest.raises(ValueError, match=r"batch_size must be a positive integer"):
        tn.predict(model_with_modes(), x, batch_size=batch_size)


@pytest.mark.parametrize("y, error, message", [
    (np.zeros(23), TypeError, r"y must be a numpy array of integer class labels, got a float64 array"),
    ([0] * 23, TypeError, r"integer class labels, got a list"),
    (np.zeros((23, 1), np.int64), ValueError, r"y must have shape \(N,\), one label per example, got \(23, 1\)"),
    (np.eye(4, dtype=np.int64)[np.zeros(23, int)], ValueError, r"one-hot labels\? use y.argmax\(axis=1\)"),
    (np.zeros(22, np.int64), ValueError, r"x has 23 examples but y has 22 labels"),
    (np.r_[np.zeros(20, np.int64), 4, 0, 0], ValueError, r"labels must be in \[0, 4\) for a model with 4 "
                                                          r"outputs; y\[20\] = 4"),
    (np.r_[np.zeros(5, np.int64), -1, np.zeros(17, np.int64)], ValueError, r"y\[5\] = -1"),
])
def test_bad_labels(y, error, message):
    x, _ = data()
    with pytest.raises(error, match="accuracy: .*" + message):
        tn.accuracy(model_with_modes(), x, y)


def test_accuracy_of_no_examples_is_refused():
    with pytest.raises(ValueError, match=r"no examples"):
        tn.accuracy(model_with_modes(), np.zeros((0, 6), np.float32), np.zeros(0, np.int64))


def test_not_a_model():
    with pytest.raises(TypeError, match=r"model must be a tinynet Module, got function"):
        tn.predict(lambda x: x, np.zeros((2, 6), np.float32))


def test_model_that_does_not_return_class_scores():
    class Scalar(nn.Module):
        def forward(self, x):
            return x.sum(axis=1)
    with pytest.raises(ValueError, match=r"the model must return class scores of shape \(N, C\), one row per "
                                         r"example; for a batch of 3 examples it returned \(3,\)"):
        tn.predict(Scalar(), np.zeros((3, 6), np.float32))


def test_diverged_weights_raise_floating_point_error():
    """argmax of NaN scores would be a silently wrong class: refused as in the loss (non-finite values are errors, not numbers)."""
    model = model_with_modes()
    model.train()
    model[4].weight.data[2, 0] = np.nan
    x, y = data()
    with pytest.raises(FloatingPointError, match=r"predict: the model produced \d+ non-finite scores \(first for "
                                                 r"x\[0\]\).*learning rate is too high: training diverged"):
        tn.predict(model, x, batch_size=10)
    assert model.training and model[3].training


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_non_finite_input_is_named():
    model = model_with_modes()
    x, y = data()
    x[17, 3] = np.inf
    with pytest.raises(ValueError, match=r"accuracy: x\[17\] contains non-finite values"):
        tn.accuracy(model, x, y, batch_size=10)


def test_exported_from_the_package():
    assert tn.predict is tn.evaluate.predict and tn.accuracy is tn.evaluate.accuracy
    assert {"predict", "accuracy"} <= set(tn.__all__)
