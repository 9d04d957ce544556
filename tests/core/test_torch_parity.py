"""Every layer, the loss and SGD against PyTorch, in float64 (errors < 1e-10)."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn, optim

from helpers import PARITY_TOL, LectureMLP, T, close, train_step_both

torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation; "
                                            "install it with pip install -e '.[test]'")
from experiments.torch_backend import TorchLectureBatchNormMLP  # noqa: E402 (needs torch)


def copy_params(ours, theirs):
    """Load a torch module's parameters and buffers into a tinynet module."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def run_layer(layer, x, upstream):
    out, cache = layer.forward(x)
    return out, layer.backward(upstream, cache)


rng = np.random.default_rng(0)


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    ref = torch.nn.Linear(7, 4, bias=bias).double()
    ours = nn.Linear(7, 4, bias=bias).double()
    copy_params(ours, ref)
    x, g = rng.normal(size=(5, 7)), rng.normal(size=(5, 4))
    xt = T(x, True)
    ref(xt).backward(T(g))
    out, dx = run_layer(ours, x, g)
    close(out, ref(T(x)))
    close(dx, xt.grad)
    close(ours.weight.grad, ref.weight.grad)
    if bias:
        close(ours.bias.grad, ref.bias.grad)


def test_linear_init_matches_pytorch_bounds():
    tn.manual_seed(0)
    layer = nn.Linear(400, 50)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert p.dtype == np.float32
        assert np.abs(p).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.999 * bound     # 20,000 draws reach the edge
    # uniform on [-b, b]: variance b^2 / 3
    assert abs(layer.weight.data.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3


def test_relu():
    x, g = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    x[0, 0] = 0.0                              # the kink: both frameworks give gradient 0
    xt = T(x, True)
    torch.relu(xt).backward(T(g))
    out, dx = run_layer(nn.ReLU(), x, g)
    close(out, torch.relu(T(x)))
    close(dx, xt.grad)


@pytest.mark.parametrize("n", [2, 3, 16])
@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_batchnorm_training_steps_and_eval(n, momentum):
    ref = torch.nn.BatchNorm1d(6, momentum=momentum).double()
    ours = nn.BatchNorm1d(6, momentum=momentum).double()
    with torch.no_grad():
        ref.weight.copy_(T(rng.normal(size=6)))
        ref.bias.copy_(T(rng.normal(size=6)))
    copy_params(ours, ref)
    for _ in range(4):                         # several steps: running statistics accumulate
        x, g = 2 + 3 * rng.normal(size=(n, 6)), rng.normal(size=(n, 6))
        xt = T(x, True)
        ref.weight.grad = ref.bias.grad = None
        ours.zero_grad()
        out_ref = ref(xt)
        out_ref.backward(T(g))
        out, dx = run_layer(ours, x, g)
        close(out, out_ref)
        close(dx, xt.grad)
        close(ours.weight.grad, ref.weight.grad)
        close(ours.bias.grad, ref.bias.grad)
    close(ours.running_mean, ref.running_mean)
    close(ours.running_var, ref.running_var)
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 4

    ref.eval(), ours.eval()
    x, g = rng.normal(size=(n, 6)), rng.normal(size=(n, 6))
    xt = T(x, True)
    ref(xt).backward(T(g))
    out, dx = run_layer(ours, x, g)
    close(out, ref(T(x)))
    close(dx, xt.grad)


def test_dropout_eval_is_identity_and_train_scaling_statistics():
    layer = nn.Dropout(0.3).double()
    x = rng.normal(size=(50, 40))
    layer.eval()
    out, dx = run_layer(layer, x, x)
    assert np.array_equal(out, x) and np.array_equal(dx, x)
    ref_eval = torch.nn.Dropout(0.3).eval()
    close(out, ref_eval(T(x)))

    layer.train()
    ones = np.ones((400, 500))
    tn.manual_seed(1)
    out, dx = run_layer(layer, ones, ones)
    ref = torch.nn.functional.dropout(T(ones), p=0.3, training=True).numpy()
    for sample in (out, ref):
        kept = sample != 0
        # survivors carry exactly 1 / (1 - p), in both frameworks
        assert np.allclose(sample[kept], 1 / 0.7, rtol=1e-15)
        # drop rate 0.3 within 5 standard deviations (n = 200,000)
        assert abs(1 - kept.mean() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / ones.size)
        assert abs(sample.mean() - 1) < 0.01             # E[y] = x
    assert np.array_equal(dx, out)                       # backward uses the same mask


def test_dropconnect_matches_a_masked_torch_linear():
    layer = nn.DropConnect(6, 4, p=0.4).double()
    x, g = rng.normal(size=(5, 6)), rng.normal(size=(5, 4))
    tn.manual_seed(3)
    out, cache = layer.forward(x)
    mask = cache[1]
    assert set(np.unique(mask)) <= {0.0, 1 / 0.6}
    dx = layer.backward(g, cache)
    w, b, xt = T(layer.weight.data, True), T(layer.bias.data, True), T(x, True)
    ref = torch.nn.functional.linear(xt, w * T(mask), b)
    ref.backward(T(g))
    close(out, ref)
    close(dx, xt.grad)
    close(layer.weight.grad, w.grad)
    close(layer.bias.grad, b.grad)

    layer.eval()
    plain = torch.nn.functional.linear(T(x), T(layer.weight.data), T(layer.bias.data))
    close(layer.forward(x)[0], plain)


@pytest.mark.parametrize("scale", [1.0, 1e3])
def test_cross_entropy(scale):
    logits, labels = scale * rng.normal(size=(8, 10)), rng.integers(0, 10, size=8)
    lt = T(logits, True)
    ref = torch.nn.functional.cross_entropy(lt, torch.tensor(labels))
    ref.backward()
    ours = nn.CrossEntropyLoss()
    loss = ours(logits, labels)
    assert isinstance(loss, float)
    assert abs(loss - ref.item()) <= PARITY_TOL * max(1.0, abs(ref.item()))
    close(ours.backward(), lt.grad)


@pytest.mark.parametrize("layout", ["column-major", "transposed view", "strided view"])
def test_cross_entropy_any_memory_layout(layout):
    """The loss picks each row's true class (p[np.arange(N), y]): the result
    must not depend on how the logits are laid out in memory."""
    base = rng.normal(size=(8, 10))
    logits = {"column-major": np.asfortranarray(base),
              "transposed view": np.ascontiguousarray(base.T).T,
              "strided view": np.repeat(base, 2, axis=1)[:, ::2]}[layout]
    labels = rng.integers(0, 10, size=8)
    lt = T(base, True)
    ref = torch.nn.functional.cross_entropy(lt, torch.tensor(labels))
    ref.backward()
    ours = nn.CrossEntropyLoss()
    assert abs(ours(logits, labels) - ref.item()) <= PARITY_TOL * max(1.0, abs(ref.item()))
    close(ours.backward(), lt.grad)


def torch_twin(model):
    """A torch Sequential computing the same function as a tinynet Sequential."""
    layers = []
    for layer in model:
        if isinstance(layer, nn.Linear):
            layers.append(torch.nn.Linear(layer.in_features, layer.out_features))
        elif isinstance(layer, nn.ReLU):
            layers.append(torch.nn.ReLU())
    twin = torch.nn.Sequential(*layers).double()
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return twin


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_sgd_momentum_and_l2_match_torch_weight_decay(momentum, weight_decay):
    """l2 = wd / 2 with penalize="all" is exactly torch's weight_decay=wd."""
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    twin = torch_twin(model)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=momentum, l2=weight_decay / 2, penalize="all")
    ref_opt = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for _ in range(5):
        x, y = rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
        loss, ref_loss = train_step_both(model, opt, twin, ref_opt, x, y)
        assert abs(loss - ref_loss) < PARITY_TOL
    for name, value in twin.state_dict().items():
        close(model.state_dict()[name], value)


def test_l2_on_weights_only_matches_torch_param_groups():
    tn.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).double()
    twin = torch_twin(model)
    opt = optim.SGD(model.parameters(), lr=0.2, l2=0.01)            # default: weights only
    weights = [p for n, p in twin.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in twin.named_parameters() if n.endswith("bias")]
    ref_opt = torch.optim.SGD([{"params": weights, "weight_decay": 0.02},
                               {"params": biases, "weight_decay": 0.0}], lr=0.2)
    x, y = rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
    for _ in range(3):
        train_step_both(model, opt, twin, ref_opt, x, y)
    for name, value in twin.state_dict().items():
        close(model.state_dict()[name], value)
    expected = 0.01 * sum(float((w.detach() ** 2).sum()) for w in weights)
    assert abs(opt.penalty() - expected) < PARITY_TOL


def test_lecture_mlp_matches_torch_for_100_sgd_steps():
    """The lecture's shared-BatchNorm MLP, initialised from torch's state_dict,
    fed the same batches: the same 100 losses, the same final weights."""
    torch.manual_seed(0)
    ref = TorchLectureBatchNormMLP().double()   # the lab's torch twin, as the lecture wrote it
    model = LectureMLP().double()
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    opt = optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    data = np.random.default_rng(1)
    images, labels = data.random((300, 784)), data.integers(0, 10, size=300)
    losses, ref_losses = [], []
    for step in range(100):
        idx = data.choice(300, size=10, replace=False)
        loss, ref_loss = train_step_both(model, opt, ref, ref_opt, images[idx], labels[idx])
        losses.append(loss)
        ref_losses.append(ref_loss)
    np.testing.assert_allclose(losses, ref_losses, rtol=PARITY_TOL, atol=PARITY_TOL)
    assert losses[-1] < losses[0]                       # it did learn
    for name, value in ref.state_dict().items():
        close(model.state_dict()[name], value, tol=1e-9)
    model.eval(), ref.eval()
    x = images[:50]
    close(model(x), ref(T(x)), tol=1e-9)
