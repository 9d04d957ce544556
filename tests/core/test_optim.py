"""optim.SGD: the update as the math, and every misuse refused.

PyTorch parity of the optimizers lives in test_optimizers_torch.py (and SGD's
training loop in test_torch_parity.py); here the reference is the formula
itself, written out in NumPy.
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


def assert_same_steps(a, opt_a, b, opt_b, steps=3):
    """Fed the same gradients, the two optimizers leave identical weights."""
    for step in range(steps):
        fill_grads(a, step)
        fill_grads(b, step)
        opt_a.step()
        opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


# -- the update ---------------------------------------------------------------
@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.05), (0.01, 0.05)])
@pytest.mark.parametrize("penalize", ["weights", "all"])
@pytest.mark.parametrize("l1_mode", ["subgradient", "proximal"])
def test_step_is_the_formula(momentum, nesterov, l1, l2, penalize, l1_mode):
    """Subgradient mode: g = dL/dw + l1 sign(w) + 2 l2 w. Proximal mode: g = dL/dw + 2 l2 w,
    and after the step w <- sign(w) max(|w| - lr l1, 0). Then v <- momentum v + g and
    w <- w - lr v (Nesterov: w <- w - lr (g + momentum v)), over 4 steps."""
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=momentum, l1=l1, l2=l2, penalize=penalize,
                    nesterov=nesterov, l1_mode=l1_mode)
    names = [name for name, _ in model.named_parameters()]
    w = snapshot(model)
    v = [np.zeros_like(a) for a in w]
    for step in range(4):
        fill_grads(model, seed=step)
        for k, (name, p) in enumerate(zip(names, model.parameters())):
            g = p.grad.copy()
            penalized = penalize == "all" or name.endswith("weight")
            if penalized and l1_mode == "subgradient":
                g += l1 * np.sign(w[k]) + 2 * l2 * w[k]
            elif penalized:
                g += 2 * l2 * w[k]
            v[k] = momentum * v[k] + g
            w[k] = w[k] - 0.1 * (g + momentum * v[k] if nesterov else v[k])
            if penalized and l1_mode == "proximal":
                w[k] = np.sign(w[k]) * np.maximum(np.abs(w[k]) - 0.1 * l1, 0.0)
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
    assert_same_steps(a, opt_a, b, opt_b)


def test_repr_shows_the_settings():
    opt = optim.SGD(mlp().parameters(), lr=np.float32(0.5), momentum=0.9)
    assert repr(opt) == ("SGD(lr=0.5, momentum=0.9, l1=0.0, l2=0.0, penalize='weights', nesterov=False, "
                         "l1_mode='subgradient'; 4 parameters)")
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
    assert_same_steps(ours, opt, ref, ref_opt, steps=2)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=-0.1), ValueError, r"^SGD: lr must be a non-negative number, got -0.1$"),
    (dict(lr=float("nan")), ValueError, r"lr must be a non-negative number, got nan$"),
    (dict(lr=float("inf")), ValueError, r"lr must be a non-negative number, got inf \(not a finite number\)$"),
    (dict(lr=np.float32("nan")), ValueError, r"lr must be a non-negative number, got nan$"),
    (dict(lr="0.1"), TypeError, r"lr must be a non-negative number, got the string '0.1'$"),
    (dict(lr=True), TypeError, r"lr must be a non-negative number, got True \(of type bool\)$"),
    (dict(lr=None), TypeError, r"lr must be a non-negative number, got None$"),
    (dict(lr=np.array([0.1])), TypeError, r"lr must be a non-negative number, got array\(\[0.1\]\) \(of type ndarray\)"),
    (dict(lr=0.1, momentum=1.5), ValueError, r"momentum must be a number in \[0, 1\), got 1.5 .*diverges"),
    (dict(lr=0.1, momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, momentum=-0.1), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, momentum=np.float32(1.5)), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(lr=0.1, l1=-1e-3), ValueError, r"l1 must be a non-negative number"),
    (dict(lr=0.1, l2=float("inf")), ValueError, r"l2 must be a non-negative number"),
    (dict(lr=0.1, penalize="biases"), ValueError, r"penalize must be 'weights' or 'all', got the string 'biases'"),
    (dict(lr=0.1, penalize=None), TypeError, r"penalize must be 'weights' or 'all', got None"),
    (dict(lr=0.1, nesterov=True), ValueError, r"^SGD: nesterov=True needs momentum > 0 .*got momentum=0.0$"),
    (dict(lr=0.1, momentum=0.9, nesterov=1), TypeError, r"nesterov must be True or False, got 1$"),
    (dict(lr=0.1, momentum=0.9, nesterov="yes"), TypeError, r"nesterov must be True or False"),
    (dict(lr=0.1, l1_mode="prox"), ValueError, r"l1_mode must be 'subgradient' or 'proximal', got the string 'prox'"),
    (dict(lr=0.1, l1_mode=True), TypeError, r"l1_mode must be 'subgradient' or 'proximal', got True"),
])
def test_bad_hyperparameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(mlp().parameters(), **kwargs)


@pytest.mark.parametrize("name, value, message", [
    ("lr", -1e-3, r"lr must be a non-negative number"),
    ("lr", float("nan"), r"lr must be a non-negative number"),
    ("momentum", 1.5, r"momentum must be a number in \[0, 1\)"),
    ("l2", -1.0, r"l2 must be a non-negative number"),
    ("penalize", "bias", r"penalize must be"),
])
def test_hyperparameters_set_later_are_checked_too(name, value, message):
    """A schedule that sets opt.lr = -1e-3 (or momentum = 1.5) mid-training is refused as at construction."""
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
    (lambda m: [], ValueError, r"^SGD got an empty parameter list: nothing to optimize \(if it came from a "
                               r"model, that model has no parameters"),
    (lambda m: (), ValueError, r"empty parameter list"),
    (lambda m: [m[0].weight.data], TypeError, r"expects tinynet Parameters .* got ndarray at position 0"),
    (lambda m: [{"params": list(m.parameters())}], TypeError, r"parameter groups \(dicts, as in PyTorch\)"),
    (lambda m: 0.1, TypeError, r"takes model.parameters\(\) or model.named_parameters\(\), got float"),
    (lambda m: "weights", TypeError, r"got str"),
])
def test_bad_parameter_lists(params, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(params(mlp()), lr=0.1)


def test_used_up_generator_says_it_was_used():
    """A generator read to its end before is certainly used up: say only that."""
    model = mlp()
    params = model.parameters()
    list(params)
    with pytest.raises(ValueError, match=r"^SGD got a generator that was already used up \(a generator such as "
                                         r"model.parameters\(\) can be read only once\): call model.parameters\(\) "
                                         r"again for each optimizer$"):
        optim.SGD(params, lr=0.1)
    used = model.named_parameters()
    list(used)
    with pytest.raises(ValueError, match=r"Adam got a generator that was already used up"):
        optim.Adam(used)


def test_model_without_parameters_is_not_blamed_on_a_used_generator_alone():
    """A fresh generator that yields nothing: the model has none (the likely case), or it wraps a used one."""
    with pytest.raises(ValueError, match=r"^SGD got no parameters: the model has none \(e.g. only activation "
                                         r"layers, nothing to train\), or the generator model.parameters\(\) "
                                         r"was already used"):
        optim.SGD(nn.Sequential(nn.ReLU()).parameters(), lr=.1)
    with pytest.raises(ValueError, match=r"SGD got an empty parameter list: nothing to optimize"):
        optim.SGD(list(nn.Sequential(nn.ReLU()).parameters()), lr=.1)


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
    with pytest.raises(TypeError, match=r"the gradient of 0.bias is float64 but the parameter is float32; .*"
                                        r"an upstream gradient of that dtype handed to model.backward or "
                                        r"layer.backward \(e.g. a float64 dout for a float32 model: convert it "
                                        r"with dout.astype\(np.float32\)\), from a layer's backward that "
                                        r"computes in float64, or from a .grad set by hand"):
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


# -- lr = 0 is a valid learning rate (warm-up and annealing schedules reach it) --
@pytest.mark.parametrize("make", [
    lambda params: optim.SGD(params, lr=0, momentum=0.9, l1=0.1, l2=0.1),
    lambda params: optim.SGD(params, lr=0, l1=0.1, l1_mode="proximal"),
    lambda params: optim.Adam(params, lr=0, weight_decay=0.1),
    lambda params: optim.Adagrad(params, lr=0, lr_decay=0.1),
    lambda params: optim.RMSprop(params, lr=0, momentum=0.5, centered=True),
])
def test_lr_zero_is_accepted_and_moves_nothing(make):
    model = mlp()
    opt = make(model.parameters())
    assert opt.lr == 0.0 and type(opt.lr) is float
    before = snapshot(model)
    for step in range(3):
        fill_grads(model, step)
        opt.step()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_a_schedule_may_reach_lr_zero_and_leave_it():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt.lr = 0                                   # the end of a linear warm-down
    before = snapshot(model)
    fill_grads(model)
    opt.step()
    assert all(np.array_equal(p.data, old) for p, old in zip(model.parameters(), before))
    opt.lr = 0.1                                 # and back: the velocity built meanwhile is used
    opt.step()
    assert not any(np.array_equal(p.data, old) for p, old in zip(model.parameters(), before))


# -- Nesterov ------------------------------------------------------------------
def test_nesterov_needs_momentum_later_too():
    """momentum = 0 set after construction is refused with nesterov=True, and nothing changes."""
    opt = optim.SGD(mlp().parameters(), lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match=r"nesterov=True needs momentum > 0 .*got momentum=0.0$"):
        opt.momentum = 0
    assert opt.momentum == 0.9
    opt.nesterov = False
    opt.momentum = 0                             # fine without Nesterov
    with pytest.raises(ValueError, match=r"nesterov=True needs momentum > 0"):
        opt.nesterov = True
    assert opt.nesterov is False


# -- L1 as a proximal step: exact zeros --------------------------------------
def test_one_proximal_step_is_soft_thresholding_entry_by_entry():
    """z = w - lr g, then w = sign(z) max(|z| - lr l1, 0): |z| <= lr l1 = 0.01 gives exactly 0."""
    start = np.array([-0.5, -0.0105, -0.01, -0.002, 0.0, 0.003, 0.0099, 0.02, 0.7])
    w = nn.Parameter(start.copy(), penalized=True)
    w.grad = np.array([1.0, 0.0, 0.0, 0.01, 0.05, -0.01, 0.0, 0.0, -1.0])
    optim.SGD([w], lr=0.1, l1=0.1, l1_mode="proximal").step()
    z = start - 0.1 * w.grad                      # -0.6, -0.0105, -0.01, -0.003, -0.005, 0.004, 0.0099, 0.02, 0.8
    np.testing.assert_allclose(w.data, [-0.59, -0.0005, 0, 0, 0, 0, 0, 0.01, 0.79], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(w.data, np.sign(z) * np.maximum(np.abs(z) - 0.1 * 0.1, 0))
    assert (w.data[2:7] == 0).all()              # exact zeros, not merely small


def sparse_regression(l1_mode):
    """y depends on 2 of 10 inputs; 400 full-batch steps of SGD with L1 on a Linear(10, 1)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 10))
    y = (3 * x[:, :1] - 2 * x[:, 1:2] + 0.1 * rng.normal(size=(200, 1)))
    tn.manual_seed(0)
    model = nn.Linear(10, 1).double()
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=0.05, l1=0.1, l1_mode=l1_mode)
    for _ in range(400):
        opt.zero_grad()
        loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        opt.step()
    return model.weight.data[0]


def test_proximal_l1_reaches_exact_zeros_and_the_subgradient_does_not():
    proximal = sparse_regression("proximal")
    assert (proximal[2:] == 0).all()             # the 8 unused inputs: exactly 0
    assert abs(proximal[0] - 3) < 0.1 and abs(proximal[1] + 2) < 0.1
    subgradient = sparse_regression("subgradient")
    assert not (subgradient == 0).any()          # hovers around 0, never on it ...
    assert np.abs(subgradient[2:]).max() < 0.05  # ... within a few lr * l1 = 0.005 of it


def test_proximal_mode_keeps_the_penalty_and_exempts_biases():
    model = mlp()
    opt = optim.SGD(model.named_parameters(), lr=1.0, l1=0.6, l2=0.01, l1_mode="proximal")
    expected = sum(0.6 * np.abs(p.data).sum() + 0.01 * (p.data ** 2).sum()
                   for name, p in model.named_parameters() if name.endswith("weight"))
    assert opt.penalty() == pytest.approx(expected, rel=1e-14)
    for p in model.parameters():
        p.grad = np.zeros_like(p.data)
    biases = [model[0].bias.data.copy(), model[2].bias.data.copy()]
    opt.step()
    np.testing.assert_array_equal(model[0].bias.data, biases[0])     # not penalized: untouched
    np.testing.assert_array_equal(model[2].bias.data, biases[1])
    assert (model[0].weight.data == 0).all()     # Linear(4, 5): every |w| <= 1/sqrt(4) < lr l1 = 0.6


def test_proximal_step_is_in_place_and_keeps_float32():
    model = mlp(np.float32)
    arrays = [p.data for p in model.parameters()]
    fill_grads(model)
    optim.SGD(model.parameters(), lr=0.1, momentum=0.5, l1=0.5, l1_mode="proximal").step()
    for p, array in zip(model.parameters(), arrays):
        assert p.data is array and p.data.dtype == np.float32
    assert (model[0].weight.data == 0).any()


def test_default_l1_mode_is_the_lectures_subgradient():
    a, b = mlp(), mlp()
    opt_a = optim.SGD(a.parameters(), lr=0.1, momentum=0.9, l1=0.01, l2=0.001)
    opt_b = optim.SGD(b.parameters(), lr=0.1, momentum=0.9, l1=0.01, l2=0.001, l1_mode="subgradient")
    assert opt_a.l1_mode == "subgradient"
    assert_same_steps(a, opt_a, b, opt_b)


# -- Adagrad and RMSprop: their arguments, checked as SGD's are ---------------
@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=-0.01), ValueError, r"^Adagrad: lr must be a non-negative number, got -0.01$"),
    (dict(lr="0.01"), TypeError, r"^Adagrad: lr must be a non-negative number, got the string '0.01'$"),
    (dict(lr_decay=-1e-3), ValueError, r"lr_decay must be a non-negative number, got -0.001$"),
    (dict(weight_decay=float("nan")), ValueError, r"weight_decay must be a non-negative number, got nan$"),
    (dict(initial_accumulator_value=-0.1), ValueError, r"initial_accumulator_value must be a non-negative"),
    (dict(eps=0), ValueError, r"eps must be a positive number, got 0 \(it keeps the step finite"),
    (dict(eps=True), TypeError, r"eps must be a positive number, got True \(of type bool\)$"),
])
def test_bad_adagrad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.Adagrad(mlp().parameters(), **kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr=-0.01), ValueError, r"^RMSprop: lr must be a non-negative number, got -0.01$"),
    (dict(alpha=1.0), ValueError, r"alpha must be a number in \[0, 1\), got 1.0 \(it is the weight of the old"),
    (dict(alpha=-0.1), ValueError, r"alpha must be a number in \[0, 1\)"),
    (dict(alpha=np.array([0.9])), TypeError, r"alpha must be a number in \[0, 1\)"),
    (dict(eps=0.0), ValueError, r"eps must be a positive number, got 0.0"),
    (dict(weight_decay=-1), ValueError, r"weight_decay must be a non-negative number, got -1$"),
    (dict(momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\), got 1.0 .*diverges"),
    (dict(momentum=-0.5), ValueError, r"momentum must be a number in \[0, 1\)"),
    (dict(centered="yes"), TypeError, r"centered must be True or False, got the string 'yes'$"),
    (dict(centered=1), TypeError, r"centered must be True or False, got 1$"),
])
def test_bad_rmsprop_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        optim.RMSprop(mlp().parameters(), **kwargs)


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop"])
def test_adaptive_optimizers_refuse_what_sgd_refuses(name):
    make = getattr(optim, name)
    model = mlp(np.float32)
    with pytest.raises(TypeError, match=rf"not the model: {name}\(model.parameters\(\), ...\)"):
        make(model)
    with pytest.raises(ValueError, match=rf"^{name} got no parameters: the model has none"):
        make(nn.Sequential(nn.ReLU()).parameters())
    opt = make(model.named_parameters(), lr=0.1)
    fill_grads(model)
    model[0].bias.grad = model[0].bias.grad.astype(np.float64)
    before = snapshot(model)
    with pytest.raises(TypeError, match=rf"{name}.step: the gradient of 0.bias is float64 but the parameter "
                                        r"is float32"):
        opt.step()
    assert all(np.array_equal(p.data, old) for p, old in zip(model.parameters(), before))
    with pytest.raises(ValueError, match=r"lr must be a non-negative number"):
        opt.lr = -1.0
    assert opt.lr == 0.1


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop", "Adam"])
def test_adaptive_optimizers_keep_float32_and_step_in_place(name):
    model = mlp(np.float32)
    arrays = [p.data for p in model.parameters()]
    opt = getattr(optim, name)(model.parameters(), lr=np.float64(0.01), weight_decay=np.float64(0.1))
    for step in range(2):
        fill_grads(model, step)
        opt.step()
    for p, array in zip(model.parameters(), arrays):
        assert p.data is array and p.data.dtype == np.float32
    assert all(buf.dtype == np.float32 for state in opt.state for buf in state.values()
               if isinstance(buf, np.ndarray))


def test_adagrad_and_rmsprop_reprs():
    assert repr(optim.Adagrad(mlp().parameters())) == ("Adagrad(lr=0.01, lr_decay=0.0, weight_decay=0.0, "
                                                       "initial_accumulator_value=0.0, eps=1e-10; 4 parameters)")
    assert repr(optim.RMSprop(mlp().parameters(), centered=np.bool_(True))) == (
        "RMSprop(lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0.0, momentum=0.0, centered=True; 4 parameters)")


def test_centered_rmsprop_never_takes_the_root_of_a_rounded_negative_variance():
    """A constant gradient has variance 0; v - m^2 then rounds to -2e-17 after ~3200 steps, and
    sqrt gave NaN (PyTorch's result too). tinynet takes the exact value 0: the steps stay finite."""
    p = nn.Parameter(np.zeros(1))
    opt = optim.RMSprop([p], lr=0.01, centered=True)
    with np.errstate(invalid="raise"):
        for _ in range(3300):
            p.grad = np.array([0.1])
            opt.step()
    v, m = opt.state[0]["square_avg"], opt.state[0]["grad_avg"]
    assert (v - m * m < 0).all() and np.isfinite(p.data).all()
