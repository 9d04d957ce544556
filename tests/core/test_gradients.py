"""Hand-written backward passes against central finite differences (float64),
through the same toolkit a student uses: tinynet.testing."""
import numpy as np
from hypothesis import given, strategies as st

from tinynet import nn, optim
from tinynet.gradcheck import check_layer
from tinynet.testing import (assert_function_gradient, assert_layer_gradients, assert_loss_gradient,
                             float_arrays, offsets_away_from_kink, randomize_parameters as randomize,
                             signed_values, spread_columns)

from helpers import LectureMLP, seeds, sizes


def assert_grads_close(layer, x, **options):
    """The gradients match, and no input sat near a kink (every test keeps them away)."""
    result = assert_layer_gradients(layer, x, **options)
    assert not result.warnings, str(result)
    return result


@given(st.data(), sizes, sizes, sizes, st.booleans(), seeds)
def test_linear(data, n, n_in, n_out, bias, seed):
    layer = randomize(nn.Linear(n_in, n_out, bias=bias).double(), seed)
    x = data.draw(signed_values((n, n_in)))
    assert_grads_close(layer, x)


@given(st.data(), sizes, sizes)
def test_relu(data, n, c):
    x = data.draw(signed_values((n, c)))
    assert_grads_close(nn.ReLU(), x)


@given(st.data(), st.integers(3, 6), sizes, seeds)
def test_batchnorm_training(data, n, c, seed):
    """N >= 3: with N = 2 every standardised column is (-1, 1) whatever x is, so
    dx is of order eps = 1e-5 and below what finite differences resolve
    against O(1) outputs; test_torch_parity checks N = 2 exactly instead."""
    layer = randomize(nn.BatchNorm1d(c).double(), seed)      # random gamma and beta
    x = data.draw(spread_columns(n, c))
    assert_grads_close(layer, x)


@given(st.data(), sizes, sizes, seeds)
def test_batchnorm_eval(data, n, c, seed):
    layer = randomize(nn.BatchNorm1d(c).double(), seed).eval()
    rng = np.random.default_rng(seed)
    layer.running_mean[...] = rng.normal(size=c)
    layer.running_var[...] = rng.uniform(0.5, 2.0, size=c)
    x = data.draw(signed_values((n, c)))
    assert_grads_close(layer, x)


@given(st.data(), sizes, sizes, st.floats(0.0, 0.9), seeds)
def test_dropout(data, n, c, p, seed):
    x = data.draw(signed_values((n, c)))
    assert_grads_close(nn.Dropout(p).double(), x, seed=seed)


@given(st.data(), sizes, sizes, sizes, st.floats(0.0, 0.9), seeds, st.booleans())
def test_dropconnect(data, n, n_in, n_out, p, seed, training):
    layer = randomize(nn.DropConnect(n_in, n_out, p=p).double(), seed).train(training)
    x = data.draw(signed_values((n, n_in)))
    assert_grads_close(layer, x, seed=seed)


@given(st.data(), sizes, st.integers(1, 4), st.integers(1, 4))
def test_flatten(data, n, h, w):
    x = data.draw(signed_values((n, h, w)))
    assert_grads_close(nn.Flatten(), x)


@given(st.data(), sizes, st.integers(2, 6), st.floats(-100.0, 100.0))
def test_cross_entropy(data, n, c, shift):
    # Logits within 10 of each other keep every softmax probability above
    # e^-10 / C, so the gradient stays far above finite differences' rounding
    # noise; huge logits are covered by test_invariants and test_torch_parity.
    logits = data.draw(float_arrays((n, c), -5.0, 5.0)) + shift
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    result = assert_loss_gradient(nn.CrossEntropyLoss(), logits, labels)
    assert not result.warnings, str(result)


@given(st.data(), sizes, sizes, st.floats(0.0, 2.0), st.floats(0.0, 2.0), st.sampled_from(["weights", "all"]))
def test_penalty_gradient(data, n_in, n_out, l1, l2, penalize):
    """SGD's l1*sign(w) + 2*l2*w is the gradient of its penalty() (|w| >= 0.1: off the kink)."""
    layer = nn.Linear(n_in, n_out).double()
    layer.weight.data[...] = data.draw(signed_values((n_out, n_in)))
    layer.bias.data[...] = data.draw(signed_values((n_out,)))
    opt = optim.SGD(layer.parameters(), lr=0.1, l1=l1, l2=l2, penalize=penalize)
    for p in layer.parameters():
        # The penalty reads p.data, which check_function perturbs in place.
        def penalty_grad(w, p=p):
            grad = opt.penalty_grad(w) if p in opt.penalized else 0.0
            return np.broadcast_to(grad, w.shape)
        assert_function_gradient(lambda w: opt.penalty(), penalty_grad, p.data)


@given(st.data(), sizes, sizes, sizes, sizes, seeds)
def test_sequential(data, n, n_in, hidden, n_out, seed):
    """Linear -> ReLU -> Linear, with fc1's bias placing every ReLU input off the kink."""
    model = randomize(nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_out)).double(), seed)
    x = data.draw(signed_values((n, n_in)))
    model[0].bias.data[...] = offsets_away_from_kink(x @ model[0].weight.data.T)
    assert_grads_close(model, x, seed=seed)


@given(st.integers(3, 5), st.integers(2, 5), st.integers(2, 4), sizes, seeds)
def test_lecture_mlp_with_shared_batchnorm(n, n_in, hidden, n_out, seed):
    """The lecture's model: one BatchNorm1d used four times, gradients summed.

    Off the kink by construction: a standardised column satisfies
    |xhat| <= sqrt(N - 1), so with |gamma| * sqrt(N - 1) <= |beta| / 2 every
    ReLU input gamma * xhat + beta keeps beta's sign, at least |beta| / 2 >= 0.25
    away from 0 (each feature then stays on or off; ReLU's switching within a
    column is tested by test_relu and test_sequential). Feature 0 is always on.

    Why N >= 3, two or more inputs and hidden units, and x drawn from a
    continuous distribution: BatchNorm must never see a column that is (nearly)
    constant across the batch, where it is curved on the scale of sqrt(eps) and
    finite differences measure their own truncation error. N = 2 makes every
    standardised column (-1, 1) (see test_batchnorm_training); a single input
    or hidden unit makes every feature an affine function of one vector, so
    the next Linear layer can cancel it to a constant.
    """
    rng = np.random.default_rng(seed)
    model = randomize(LectureMLP(n_in, hidden, n_out).double(), seed)
    beta = rng.choice([-1.0, 1.0], size=hidden) * rng.uniform(0.5, 2.0, size=hidden)
    beta[0] = abs(beta[0])
    gamma = rng.choice([-1.0, 1.0], size=hidden) * rng.uniform(0.5, 1.0, size=hidden)
    model.bn.weight.data[...] = gamma * np.abs(beta) / (2 * np.sqrt(n - 1))
    model.bn.bias.data[...] = beta
    x = rng.normal(size=(n, n_in))
    # A smaller step than the default: gamma is small here (|gamma| <= |beta| / 2),
    # so a step of 1e-3 in gamma is a large relative change of the features.
    result = check_layer(model, x, seed=seed, h=1e-4)
    # fc1..fc4's biases feed BatchNorm, which subtracts every constant: their
    # gradient is exactly zero by structure. Check that exactly, instead of
    # comparing zero with the finite difference's rounding noise (which, for a
    # tiny total gradient, can exceed the relative tolerance).
    structural_zeros = [f"fc{k}.bias" for k in range(1, 5)]
    scale = max(float(np.abs(result.details[name].numeric).max()) for name in result)
    for name in structural_zeros:
        assert np.abs(result.details[name].analytic).max() <= 1e-12 * max(scale, 1.0), str(result)
    others = {name: error for name, error in result.items() if name not in structural_zeros}
    assert max(others.values()) <= result.tolerance and not result.warnings, str(result)


def test_shared_layer_gradient_is_the_sum_of_its_uses():
    """Calling one Linear twice accumulates both contributions into .grad."""
    rng = np.random.default_rng(0)
    layer = randomize(nn.Linear(3, 3).double(), 1)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    x = rng.normal(size=(4, 3))
    model[0].bias.data[...] = offsets_away_from_kink(x @ layer.weight.data.T)
    errors = assert_grads_close(model, x)
    assert list(errors) == ["x", "0.weight", "0.bias"]      # the shared layer is listed once
