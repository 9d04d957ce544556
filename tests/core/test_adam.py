"""optim.Adam: its first step, dtypes and argument checks. Its parity with
torch.optim.Adam (and every other optimizer's with torch's) is tested in
test_optimizers_torch.py."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim


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


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=-1e-3), ValueError, r"^Adam: lr must be a non-negative number, got -0.001$"),
    (dict(lr=float("nan")), ValueError, r"lr must be a non-negative number, got nan$"),
    (dict(lr="1e-3"), TypeError, r"lr must be a non-negative number, got the string '1e-3'$"),
    (dict(betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be a number in \[0, 1\), got 1.0 \(it is the weight "
                                        r"of the old average: at 1 the average keeps its starting value"),
    (dict(betas=np.array([[0.9, 0.999]])), TypeError, r"betas must be a pair"),
    (dict(betas=(-0.1, 0.999)), ValueError, r"betas\[0\] must be a number in \[0, 1\)"),
    (dict(betas=(0.9, float("nan"))), ValueError, r"betas\[1\] must be a number in \[0, 1\)"),
    (dict(betas=0.9), TypeError, r"betas must be a pair \(beta1, beta2\)"),
    (dict(betas=(0.9, 0.99, 0.999)), TypeError, r"betas must be a pair"),
    (dict(betas=("0.9", 0.999)), TypeError, r"betas\[0\] must be a number"),
    (dict(eps=0), ValueError, r"eps must be a positive number, got 0 \(it keeps the step finite where every "
                              r"gradient so far was 0: 0 / \(0 \+ eps\) = 0, not 0 / 0\)$"),
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
