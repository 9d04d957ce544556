"""Every optimizer against torch.optim over many steps, in float64, to 1e-12.

Two workloads: a small MLP trained on random batches (the gradients come
from tinynet's and torch's own backward passes), and random parameters of
several shapes fed random gradients (some parameters skip some steps, which
tests the per-parameter step counts). Both compare every weight after every
step, relative and absolute tolerance 1e-12.
"""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

from helpers import train_step_both

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation; "
                                            "install it with pip install -e '.[test]'")

TOL = 1e-12
STEPS = 60

# (tinynet optimizer, its arguments, torch optimizer, the same arguments in torch's names)
CASES = [
    ("SGD", dict(lr=0.1), "SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9), "SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, l2=0.005, penalize="all"),
     "SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.0, momentum=0.9), "SGD", dict(lr=0.0, momentum=0.9)),
    ("Adam", dict(), "Adam", dict()),
    ("Adam", dict(lr=0.01, weight_decay=0.1), "Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01), "Adam",
     dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01)),
    ("Adam", dict(lr=0.0), "Adam", dict(lr=0.0)),
    ("Adagrad", dict(), "Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05), "Adagrad",
     dict(lr=0.1, lr_decay=0.01, weight_decay=0.05)),
    ("Adagrad", dict(lr=0.05, initial_accumulator_value=0.1, eps=1e-6), "Adagrad",
     dict(lr=0.05, initial_accumulator_value=0.1, eps=1e-6)),
    ("Adagrad", dict(lr=0.0), "Adagrad", dict(lr=0.0)),
    ("RMSprop", dict(), "RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, momentum=0.9), "RMSprop", dict(lr=0.005, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True), "RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.002, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True),
     "RMSprop", dict(lr=0.002, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True)),
    ("RMSprop", dict(lr=0.002, alpha=0.3, centered=True), "RMSprop", dict(lr=0.002, alpha=0.3, centered=True)),
    ("RMSprop", dict(lr=0.0, momentum=0.9), "RMSprop", dict(lr=0.0, momentum=0.9)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kwargs.items()) or 'defaults'}" for name, kwargs, _, _ in CASES]


def assert_same(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=TOL, atol=TOL, err_msg=what)


def mlp_and_twin():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 4)).double()
    twin = torch.nn.Sequential(torch.nn.Linear(6, 10), torch.nn.ReLU(), torch.nn.Linear(10, 10), torch.nn.Tanh(),
                               torch.nn.Linear(10, 4)).double()
    twin.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
    return model, twin


@pytest.mark.parametrize("ours, kwargs, theirs, torch_kwargs", CASES, ids=IDS)
def test_training_an_mlp_matches_torch(ours, kwargs, theirs, torch_kwargs):
    model, twin = mlp_and_twin()
    opt = getattr(optim, ours)(model.named_parameters(), **kwargs)
    ref_opt = getattr(torch.optim, theirs)(twin.parameters(), **torch_kwargs)
    rng = np.random.default_rng(0)
    start = [p.data.copy() for p in model.parameters()]
    for step in range(STEPS):
        x, y = rng.normal(size=(8, 6)), rng.integers(0, 4, size=8)
        loss, ref_loss = train_step_both(model, opt, twin, ref_opt, x, y)
        assert abs(loss - ref_loss) <= TOL * max(1.0, abs(ref_loss)), f"loss at step {step}"
        twin_state = twin.state_dict()
        for name, p in model.named_parameters():
            assert_same(p.data, twin_state[name], f"{name} after step {step}")
    moved = any(not np.array_equal(p.data, old) for p, old in zip(model.parameters(), start))
    assert moved == (kwargs.get("lr", 1.0) > 0)      # lr = 0 is accepted and moves nothing


@pytest.mark.parametrize("ours, kwargs, theirs, torch_kwargs", CASES, ids=IDS)
def test_random_parameters_and_gradients_match_torch(ours, kwargs, theirs, torch_kwargs):
    """Random shapes, random gradients (scales 1e-3 to 1e2), and parameters that skip steps."""
    rng = np.random.default_rng(1)
    shapes = [(5, 4), (7,), (3, 2, 2), (1, 1)]
    params = [nn.Parameter(rng.normal(size=shape)) for shape in shapes]
    tensors = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
    opt = getattr(optim, ours)(params, **kwargs)
    ref_opt = getattr(torch.optim, theirs)(tensors, **torch_kwargs)
    for step in range(STEPS):
        for k, (p, t) in enumerate(zip(params, tensors)):
            if (step + k) % 7 == 3:                  # no gradient this step: skipped, its t does not advance
                p.grad, t.grad = None, None
                continue
            g = rng.normal(size=p.data.shape) * 10.0 ** rng.uniform(-3, 2)
            p.grad, t.grad = g, torch.tensor(g.copy())
        opt.step()
        with torch.no_grad():
            ref_opt.step()
        for k, (p, t) in enumerate(zip(params, tensors)):
            assert_same(p.data, t, f"parameter {k} after step {step}")
    for k, t in enumerate(tensors):             # Adam's and Adagrad's t: steps with a gradient only
        if "step" in opt.state[k]:
            assert opt.state[k]["step"] == ref_opt.state[t]["step"].item() < STEPS


def test_adam_named_parameters_and_numpy_scalars():
    """np.float64 lr, a betas array, an np.float32 eps, an np.int64 weight_decay: the same steps as floats."""
    model, twin = mlp_and_twin()
    opt = optim.Adam(model.named_parameters(), lr=np.float64(0.02), betas=np.array([0.8, 0.99]),
                     eps=np.float32(1e-7), weight_decay=np.int64(0))
    assert opt.betas == (0.8, 0.99) and type(opt.eps) is float
    ref_opt = torch.optim.Adam(twin.parameters(), lr=0.02, betas=(0.8, 0.99), eps=float(np.float32(1e-7)))
    x, y = np.random.default_rng(2).normal(size=(6, 6)), np.arange(6) % 4
    for _ in range(3):
        train_step_both(model, opt, twin, ref_opt, x, y)
    twin_state = twin.state_dict()
    for name, p in model.named_parameters():
        assert_same(p.data, twin_state[name], name)
