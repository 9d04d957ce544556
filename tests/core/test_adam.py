"""optim.Adam: PyTorch's exact update (float64, 1e-10) and its argument checks."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

from helpers import PARITY_TOL, train_step_both

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation; "
                                            "install it with pip install -e '.[test]'")


def mlp_and_twin():
    """A small float64 MLP and its PyTorch twin with the same weights."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    twin = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                               torch.nn.Linear(8, 3)).double()
    twin.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
    return model, twin


def assert_same_weights(model, twin):
    for name, value in twin.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[name], value.numpy(), rtol=PARITY_TOL, atol=PARITY_TOL)


@pytest.mark.parametrize("kwargs", [
    dict(),                                                   # PyTorch's defaults
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01),
])
def test_adam_matches_torch_for_12_steps(kwargs):
    model, twin = mlp_and_twin()
    opt = optim.Adam(model.parameters(), **kwargs)
    ref_opt = torch.optim.Adam(twin.parameters(), **kwargs)
    rng = np.random.default_rng(0)
    for _ in range(12):
        x, y = rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
        loss, ref_loss = train_step_both(model, opt, twin, ref_opt, x, y)
        assert abs(loss - ref_loss) < PARITY_TOL
    assert_same_weights(model, twin)


def test_adam_counts_steps_per_parameter_like_torch():
    """A parameter without a gradient is skipped and its bias-correction step t does not advance."""
    model, twin = mlp_and_twin()
    opt = optim.Adam(model.parameters(), lr=0.01, weight_decay=0.05)
    ref_opt = torch.optim.Adam(twin.parameters(), lr=0.01, weight_decay=0.05)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    for step in range(10):
        x, y = rng.normal(size=(4, 5)), rng.integers(0, 3, size=4)
        loss_fn(model(x), y)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        ref_opt.zero_grad()
        torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        if step % 3 == 1:                    # the middle layer "frozen" in this step
            model[2].weight.grad = model[2].bias.grad = None
            twin[2].weight.grad = twin[2].bias.grad = None
        opt.step()
        ref_opt.step()
    assert opt.state[2]["step"] == 7 and opt.state[0]["step"] == 10
    assert_same_weights(model, twin)


def test_first_step_moves_each_weight_by_about_lr():
    """Thanks to the bias correction, step 1 is lr * g / (|g| + eps): about lr * sign(g) for every weight."""
    model = nn.Sequential(nn.Linear(3, 2)).double()
    before = [p.data.copy() for p in model.parameters()]
    rng = np.random.default_rng(0)
    for p in model.parameters():
        p.grad = rng.choice([-1.0, 1.0], size=p.data.shape) * rng.uniform(1e-3, 1e3, size=p.data.shape)
    opt = optim.Adam(model.parameters(), lr=0.01)
    opt.step()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_allclose(old - p.data, 0.01 * np.sign(p.grad), rtol=1e-4)


def test_adam_is_in_place_and_keeps_float32():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3))
    arrays = [p.data for p in model.parameters()]
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    opt = optim.Adam(model.parameters(), lr=np.float32(0.01), weight_decay=np.float64(0.1))
    opt.step()
    for p, array in zip(model.parameters(), arrays):
        assert p.data is array and p.data.dtype == np.float32
    assert all(buf.dtype == np.float32 for state in opt.state for buf in (state["m"], state["v"]))


def test_adam_named_parameters_and_numpy_scalars():
    model, twin = mlp_and_twin()
    opt = optim.Adam(model.named_parameters(), lr=np.float64(0.02), betas=np.array([0.8, 0.99]),
                     eps=np.float32(1e-7), weight_decay=np.int64(0))
    assert opt.betas == (0.8, 0.99) and type(opt.eps) is float
    ref_opt = torch.optim.Adam(twin.parameters(), lr=0.02, betas=(0.8, 0.99), eps=float(np.float32(1e-7)))
    x, y = np.random.default_rng(2).normal(size=(6, 5)), np.arange(6) % 3
    for _ in range(3):
        train_step_both(model, opt, twin, ref_opt, x, y)
    assert_same_weights(model, twin)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=0), ValueError, r"Adam: lr must be a positive number, got 0"),
    (dict(lr=float("nan")), ValueError, r"lr must be a positive number"),
    (dict(lr="1e-3"), TypeError, r"lr must be a positive number, got '1e-3' of type str"),
    (dict(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be a number in \[0, 1\), got 1.0"),
    (dict(betas=(-0.1, 0.999)), ValueError, r"betas\[0\] must be a number in \[0, 1\)"),
    (dict(betas=(0.9, float("nan"))), ValueError, r"betas\[1\] must be a number in \[0, 1\)"),
    (dict(betas=0.9), TypeError, r"betas must be a pair \(beta1, beta2\)"),
    (dict(betas=(0.9, 0.99, 0.999)), TypeError, r"betas must be a pair"),
    (dict(betas=("0.9", 0.999)), TypeError, r"betas\[0\] must be a number"),
    (dict(eps=0), ValueError, r"eps must be a positive number"),
    (dict(eps=-1e-8), ValueError, r"eps must be a positive number"),
    (dict(weight_decay=-0.1), ValueError, r"weight_decay must be a non-negative number"),
    (dict(weight_decay=float("inf")), ValueError, r"weight_decay must be a non-negative number"),
])
def test_bad_adam_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.Adam(nn.Linear(2, 2).parameters(), **kwargs)


def test_adam_refuses_what_sgd_refuses():
    layer = nn.Linear(4, 5)
    with pytest.raises(ValueError, match=r"weight \(position 2\) is the same Parameter as weight \(position 0\)"):
        optim.Adam([("weight", layer.weight), ("bias", layer.bias), ("weight", layer.weight)])
    with pytest.raises(TypeError, match=r"not the model"):
        optim.Adam(layer)
    opt = optim.Adam(layer.named_parameters(), lr=0.1)
    layer.weight.grad = np.ones((1, 4), np.float32)
    with pytest.raises(ValueError, match=r"Adam.step: the gradient of weight has shape \(1, 4\)"):
        opt.step()
    with pytest.raises(ValueError, match=r"betas\[0\] must be a number in \[0, 1\)"):
        opt.betas = (1.0, 0.999)
