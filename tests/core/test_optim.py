"""optim.SGD: the update as the math, and every misuse refused (issue 8, item 5).

PyTorch parity of SGD (momentum, weight decay) lives in test_torch_parity.py;
here the reference is the formula itself, written out in NumPy.
"""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim


def mlp(dtype=np.float64):
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    return model.double() if dtype == np.float64 else model.float()


def fill_grads(model, seed=0):
    """Give every parameter a random gradient of its own shape and dtype."""
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.grad = rng.normal(size=p.data.shape).astype(p.data.dtype)


def snapshot(model):
    return [p.data.copy() for p in model.parameters()]


# -- the update ---------------------------------------------------------------
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.05), (0.01, 0.05)])
@pytest.mark.parametrize("penalize", ["weights", "all"])
def test_step_is_the_formula(momentum, l1, l2, penalize):
    """g = dL/dw + l1 sign(w) + 2 l2 w; v <- momentum v + g; w <- w - lr v, over 4 steps."""
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=momentum, l1=l1, l2=l2, penalize=penalize)
    names = [name for name, _ in model.named_parameters()]
    w = snapshot(model)
    v = [np.zeros_like(a) for a in w]
    for step in range(4):
        fill_grads(model, seed=step)
        for k, (name, p) in enumerate(zip(names, model.parameters())):
            g = p.grad.copy()
            if penalize == "all" or name.endswith("weight"):
                g += l1 * np.sign(w[k]) + 2 * l2 * w[k]
            v[k] = momentum * v[k] + g
            w[k] = w[k] - 0.1 * v[k]
        opt.step()
        for expected, p in zip(w, model.parameters()):
            np.testing.assert_allclose(p.data, expected, rtol=1e-13, atol=1e-15)


def test_step_is_in_place_and_keeps_float32():
    model = mlp(np.float32)
    arrays = [p.data for p in model.parameters()]
    before = snapshot(model)
    fill_grads(model)
    optim.SGD(model.parameters(), lr=0.1, momentum=0.5, l1=1e-3, l2=1e-3).step()
    for p, array, old in zip(model.parameters(), arrays, before):
        assert p.data is array and p.data.dtype == np.float32
        assert not np.array_equal(p.data, old)


def test_parameters_without_gradient_are_left_alone():
    model = mlp()
    fill_grads(model)
    model[2].weight.grad = None
    before = model[2].weight.data.copy()
    optim.SGD(model.parameters(), lr=0.1, momentum=0.9, l2=0.1).step()
    np.testing.assert_array_equal(model[2].weight.data, before)


def test_named_parameters_give_the_same_steps():
    a, b = mlp(), mlp()
    opt_a = optim.SGD(a.parameters(), lr=0.1, momentum=0.9, l1=0.01)
    opt_b = optim.SGD(b.named_parameters(), lr=0.1, momentum=0.9, l1=0.01)
    for step in range(3):
        fill_grads(a, step)
        fill_grads(b, step)
        opt_a.step()
        opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_repr_shows_the_settings():
    opt = optim.SGD(mlp().parameters(), lr=np.float32(0.5), momentum=0.9)
    assert repr(opt) == "SGD(lr=0.5, momentum=0.9, l1=0.0, l2=0.0, penalize='weights'; 4 parameters)"
    assert repr(optim.Adam(mlp().parameters())) == \
        "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0; 4 parameters)"


def test_zero_grad_sets_none():
    model = mlp()
    fill_grads(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# -- numbers: NumPy scalars are numbers, bad values are refused ----------------
@pytest.mark.parametrize("lr, momentum, l1, l2", [
    (np.float32(0.5), np.float64(0.25), np.float32(0.0), np.float64(0.125)),
    (np.float64(0.5), np.int64(0), np.int64(0), np.float32(0.125)),
    (np.array(0.5), np.array(0.25), 0, np.array(0.125)),
])
def test_numpy_scalars_are_accepted(lr, momentum, l1, l2):
    """np.float32(0.5) etc. work wherever 0.5 does, with the same steps (exact values used)."""
    ours, ref = mlp(), mlp()
    opt = optim.SGD(ours.parameters(), lr=lr, momentum=momentum, l1=l1, l2=l2)
    ref_opt = optim.SGD(ref.parameters(), lr=float(lr), momentum=float(momentum), l1=float(l1), l2=float(l2))
    assert type(opt.lr) is float and type(opt.momentum) is float
    for step in range(2):
        fill_grads(ours, step)
        fill_grads(ref, step)
        opt.step()
        ref_opt.step()
    for p, q in zip(ours.parameters(), ref.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=0), ValueError, r"lr must be a positive number, got 0"),
    (dict(lr=-0.1), ValueError, r"lr must be a positive number"),
    (dict(lr=float("nan")), ValueError, r"lr must be a positive number, got nan"),
    (dict(lr=float("inf")), ValueError, r"lr must be a positive number, got inf"),
    (dict(lr=np.float32("nan")), ValueError, r"lr must be a positive number"),
    (dict(lr="0.1"), TypeError, r"lr must be a positive number, got '0.1' of type str"),
    (dict(lr=True), TypeError, r"lr must be a positive number, got True of type bool"),
    (dict(lr=None), TypeError, r"lr must be a positive number, got None"),
    (dict(lr=np.array([0.1])), TypeError, r"lr must be a positive number"),
    (dict(lr=0.1, momentum=1.5), ValueError, r"momentum must be a number in \[0, 1\), got 1.5 .*diverges"),
    (dict(lr=0.1, momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, momentum=-0.1), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, momentum=np.float32(1.5)), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, l1=-1e-3), ValueError, r"l1 must be a non-negative number"),
    (dict(lr=0.1, l2=float("inf")), ValueError, r"l2 must be a non-negative number"),
    (dict(lr=0.1, penalize="biases"), ValueError, r"penalize must be 'weights' or 'all'"),
    (dict(lr=0.1, penalize=None), ValueError, r"penalize must be 'weights' or 'all'"),
])
def test_bad_hyperparameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(mlp().parameters(), **kwargs)


@pytest.mark.parametrize("name, value, message", [
    ("lr", 0.0, r"lr must be a positive number"),
    ("lr", float("nan"), r"lr must be a positive number"),
    ("momentum", 1.5, r"momentum must be a number in \[0, 1\)"),
    ("l2", -1.0, r"l2 must be a non-negative number"),
    ("penalize", "bias", r"penalize must be"),
])
def test_hyperparameters_set_later_are_checked_too(name, value, message):
    """A schedule that sets opt.lr = 0 (or momentum = 1.5) mid-training is refused as at construction."""
    opt = optim.SGD(mlp().parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError), match=message):
        setattr(opt, name, value)
    opt.lr = np.float32(0.5)                # a valid change works, stored as a float
    assert opt.lr == 0.5 and type(opt.lr) is float


# -- the parameter list -------------------------------------------------------
def test_same_parameter_twice_is_refused():
    """Old code stepped a doubly listed parameter twice per step."""
    model = mlp()
    params = list(model.parameters()) + [model[0].weight]
    with pytest.raises(ValueError, match=r"parameter 4 of shape \(5, 4\) \(position 4\) is the same "
                                         r"Parameter as parameter 0 of shape \(5, 4\) \(position 0\)"):
        optim.SGD(params, lr=0.1)


def test_same_parameter_twice_is_named_with_named_parameters():
    model = mlp()
    pairs = list(model.named_parameters()) + [("again", model[2].bias)]
    with pytest.raises(ValueError, match=r"again \(position 4\) is the same Parameter as 2.bias \(position 3\)"):
        optim.SGD(pairs, lr=0.1)


@pytest.mark.parametrize("params, error, message", [
    (lambda m: m, TypeError, r"not the model: SGD\(model.parameters\(\), ...\)"),
    (lambda m: m[0].weight, TypeError, r"wrap a single one: SGD\(\[p\], ...\)"),
    (lambda m: [], ValueError, r"empty parameter list"),
    (lambda m: [m[0].weight.data], TypeError, r"expects tinynet Parameters .* got ndarray at position 0"),
    (lambda m: [{"params": list(m.parameters())}], TypeError, r"parameter groups \(dicts, as in PyTorch\)"),
    (lambda m: 0.1, TypeError, r"takes model.parameters\(\) or model.named_parameters\(\), got float"),
    (lambda m: "weights", TypeError, r"got str"),
])
def test_bad_parameter_lists(params, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(params(mlp()), lr=0.1)


def test_used_up_generator_says_why_it_is_empty():
    model = mlp()
    params = model.parameters()
    list(params)
    with pytest.raises(ValueError, match=r"empty parameter list .*generator"):
        optim.SGD(params, lr=0.1)


def test_integer_parameter_is_refused():
    p = nn.Parameter(np.zeros(3, np.int64))
    with pytest.raises(TypeError, match=r"floating-point arrays; the parameter at position 0 holds ndarray int64"):
        optim.SGD([p], lr=0.1)


# -- gradients are checked at step(), before anything changes ------------------
def test_broadcastable_gradient_of_the_wrong_shape_is_refused():
    """Old code broadcast a (1, 4) gradient into every row of a (5, 4) weight."""
    model = mlp()
    fill_grads(model)
    model[0].weight.grad = np.ones((1, 4))
    before = snapshot(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"SGD.step: the gradient of parameter 0 of shape \(5, 4\) has shape "
                                         r"\(1, 4\) but the parameter has shape \(5, 4\).*never broadcast"):
        opt.step()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_wrong_gradient_is_named_with_named_parameters_and_nothing_moves():
    model = mlp()
    fill_grads(model)
    model[2].bias.grad = np.ones(1)          # the last parameter: the others must not move either
    before = snapshot(model)
    opt = optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"the gradient of 2.bias has shape \(1,\) "
                                         r"but the parameter has shape \(3,\)"):
        opt.step()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_gradient_of_another_dtype_is_refused():
    model = mlp(np.float32)
    fill_grads(model)
    model[0].bias.grad = model[0].bias.grad.astype(np.float64)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"the gradient of 0.bias is float64 but the parameter is float32"):
        opt.step()


def test_gradient_that_is_not_an_array_is_refused():
    model = mlp()
    fill_grads(model)
    model[0].bias.grad = [0.0] * 5
    with pytest.raises(TypeError, match=r"the gradient of parameter 1 of shape \(5,\) is a list, "
                                        r"not a numpy array"):
        optim.SGD(model.parameters(), lr=0.1).step()


def test_parameter_converted_after_momentum_started_is_refused():
    """model.double() after steps with momentum: the float32 velocity no longer fits."""
    model = mlp(np.float32)
    opt = optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
    fill_grads(model)
    opt.step()
    model.double()
    fill_grads(model)
    with pytest.raises(RuntimeError, match=r"0.weight is now float64 \(5, 4\) but its velocity buffer is float32"):
        opt.step()


def test_conversion_before_the_first_step_is_fine():
    model = mlp(np.float32)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.double()
    fill_grads(model)
    opt.step()
    assert all(p.data.dtype == np.float64 for p in model.parameters())


def test_lecture_training_still_learns():
    """End to end: a few hundred SGD steps fit a small separable problem."""
    tn.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(model.named_parameters(), lr=np.float32(0.1), momentum=0.5, l2=1e-4)
    first = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    for _ in range(200):
        opt.step()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        model.backward(loss_fn.backward())
    assert loss < 0.25 * first
