"""The Module API (PyTorch names), saving, dtypes, and the error messages."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

from helpers import LectureMLP


def small_mlp():
    tn.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Dropout(0.2),
                         nn.BatchNorm1d(8), nn.Linear(8, 3))


def batch(n=5, dtype=np.float32):
    rng = np.random.default_rng(0)
    return rng.random((n, 3, 4)).astype(dtype), rng.integers(0, 3, size=n)


def test_lecture_model_names_and_shared_batchnorm_listed_once():
    model = LectureMLP()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
                     "fc4.weight", "fc4.bias", "fc5.weight", "fc5.bias", "bn.weight", "bn.bias"]
    assert list(model.state_dict()) == names + ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert model.fc1.weight.shape == (100, 784)
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_training_step_in_float32_reduces_the_loss_and_keeps_dtypes():
    model, loss_fn = small_mlp(), nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5, l1=1e-4, l2=1e-4)
    x, y = batch(16)
    with tn.no_grad():                              # an evaluation loss records nothing
        before = loss_fn(model.eval()(x), y)
    model.train()
    for _ in range(300):
        logits = model(x)
        assert logits.dtype == np.float32
        loss_fn(logits, y)
        opt.zero_grad()
        assert model.backward(loss_fn.backward()) is None
        opt.step()
    with tn.no_grad():
        assert loss_fn(model.eval()(x), y) < 0.5 * before  # eval mode: no dropout noise
    for p in model.parameters():
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32


def test_train_eval_zero_grad_double_float():
    model = small_mlp()
    assert model.training and all(m.training for m in model.modules())
    model.eval()
    assert not model.training and not any(m.training for m in model.modules())
    model.train()
    x, y = batch()
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.double()
    assert all(p.data.dtype == np.float64 for p in model.parameters())
    assert model[4].running_var.dtype == np.float64 and model[4].num_batches_tracked.dtype == np.int64
    model(x.astype(np.float64))
    model.float()
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_gradients_accumulate_until_zero_grad():
    model, loss_fn = small_mlp().eval(), nn.CrossEntropyLoss()
    x, y = batch()
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    once = {n: p.grad.copy() for n, p in model.named_parameters()}
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, 2 * once[name], rtol=1e-6)


def test_state_dict_roundtrip_and_save_load(tmp_path):
    model, other = small_mlp(), small_mlp()
    for p in model.parameters():
        p.data += 1.0
    model[4].running_mean += 3.0
    sd = model.state_dict()
    sd["1.weight"][0, 0] = 123.0                   # a copy: the model is not affected
    assert model[1].weight.data[0, 0] != 123.0
    weight_array = other[1].weight.data
    tn.save(model, tmp_path / "model.npz")
    tn.load(other, tmp_path / "model.npz")
    assert other[1].weight.data is weight_array     # loaded in place
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key], value)
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(sd)


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    model = small_mlp()
    before = model.state_dict()
    sd = model.state_dict()
    del sd["1.bias"]
    sd["extra.weight"] = np.zeros(3)
    sd["5.weight"] = np.zeros((2, 2))
    with pytest.raises(ValueError) as error:
        model.load_state_dict(sd)
    message = str(error.value)
    assert "missing keys: ['1.bias']" in message
    assert "unexpected keys: ['extra.weight']" in message
    assert "5.weight: shape (2, 2) in the state dict, (3, 8) in the model" in message
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(before[key], value)


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        tn.load(small_mlp(), tmp_path / "nothing.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match="bad.npz"):
        tn.load(small_mlp(), bad)


def test_backward_never_modifies_the_upstream_gradient():
    model, loss_fn = small_mlp(), nn.CrossEntropyLoss()
    x, y = batch()
    loss_fn(model(x), y)
    upstream = loss_fn.backward()
    copy = upstream.copy()
    model.backward(upstream, input_grad=True)
    np.testing.assert_array_equal(upstream, copy)


def test_manual_seed_makes_init_and_masks_reproducible():
    def run():
        model, loss_fn = small_mlp(), nn.CrossEntropyLoss()
        x, y = batch()
        return loss_fn(model(x), y), model[1].weight.data.copy()
    (a, wa), (b, wb) = run(), run()
    assert a == b and np.array_equal(wa, wb)


@pytest.mark.parametrize("make, x, message", [
    (lambda: nn.Linear(4, 3), np.zeros((2, 5), np.float32), r"Linear expects an input array of shape \(N, 4\), got \(2, 5\)"),
    (lambda: nn.Linear(4, 3), np.zeros(4, np.float32), r"shape \(N, 4\), got \(4,\)"),
    (lambda: nn.Linear(4, 3), np.zeros((2, 4), np.float64), "float32 parameters but got a float64 input"),
    (lambda: nn.BatchNorm1d(4), np.zeros((1, 4), np.float32), "at least 2 rows"),
    (lambda: nn.Flatten(), np.zeros(4, np.float32), r"Flatten expects an input of shape \(N, ...\)"),
])
def test_bad_layer_input(make, x, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()(x)


@pytest.mark.parametrize("logits, labels, message", [
    (np.zeros((2, 3), np.float32), np.array([0, 3]), r"labels must be in \[0, 3\)"),
    (np.zeros((2, 3), np.float32), np.array([-1, 0]), r"labels must be in \[0, 3\)"),
    (np.zeros((2, 3), np.float32), np.array([0.0, 1.0]), "integer class labels"),
    (np.zeros((2, 3), np.float32), np.array([0, 1, 2]), r"labels of shape \(3,\) do not match"),
    (np.zeros(3, np.float32), np.array([0]), r"float logits of shape \(N, C\)"),
])
def test_bad_loss_input(logits, labels, message):
    with pytest.raises((ValueError, TypeError), match=message):
        nn.CrossEntropyLoss()(logits, labels)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Dropout(1.0), r"p is the probability of dropping and must be a number in \[0, 1\)"),
    (lambda: nn.Dropout(-0.1), r"must be a number in \[0, 1\)"),
    (lambda: nn.DropConnect(3, 2, p=1.5), r"must be a number in \[0, 1\)"),
    (lambda: nn.Linear(0, 3), "in_features must be a positive integer"),
    (lambda: nn.BatchNorm1d(4, momentum=2), "momentum must be a number in"),
    (lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=float("nan")), "lr must be a non-negative number"),
    (lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=-1), "lr must be a non-negative number"),
    (lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, l1=-1), "l1 must be a non-negative number"),
    (lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, l2=-0.5), "l2 must be a non-negative number"),
    (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, penalize="biases"), "penalize must be"),
    (lambda: tn.manual_seed(-1), "non-negative integer"),
])
def test_bad_construction_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_backward_before_forward_and_twice():
    model, loss_fn = small_mlp(), nn.CrossEntropyLoss()
    with pytest.raises(RuntimeError, match="needs a forward pass first"):
        model.backward(np.zeros((5, 3), np.float32))
    with pytest.raises(RuntimeError, match="needs a forward call first"):
        loss_fn.backward()
    x, y = batch()
    loss_fn(model(x), y)
    grad = loss_fn.backward()
    with pytest.raises(ValueError, match=r"gradient of the output's shape \(5, 3\)"):
        model.backward(grad[:2])
    model.backward(grad)                            # a refused gradient leaves the tape usable
    with pytest.raises(RuntimeError, match="already backpropagated"):
        model.backward(grad)


def test_no_grad_records_nothing():
    model = small_mlp()
    with tn.no_grad():
        model(batch()[0])
    with pytest.raises(RuntimeError, match="needs a forward pass first"):
        model.backward(np.zeros((5, 3), np.float32))


def test_a_forward_that_is_not_a_chain_is_refused_at_backward():
    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return x + self.fc(x)

    model = Residual()
    out = model(np.ones((2, 3), np.float32))
    with pytest.raises(RuntimeError, match="returned an array of shape .* that no layer produced"):
        model.backward(np.ones_like(out))
