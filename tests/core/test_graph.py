"""General graphs on the tape: fan-out, nn.Add, nn.Concat, nn.ModuleList, and
both standalone forms of every built-in layer (finite differences, float64)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinynet as tn
from tinynet import nn
from tinynet.gradcheck import check_layer, numerical_gradient, relative_error

from helpers import (GRAD_TOL, assert_grads_close, offsets_away_from_kink, randomize, seeds,
                     signed_values, sizes)


class Residual(nn.Module):
    """y = fc2(x + relu(fc1(x))): x fans out to fc1 and to the Add."""

    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.relu = nn.ReLU()
        self.add = nn.Add()
        self.fc2 = nn.Linear(width, 2)

    def forward(self, x):
        return self.fc2(self.add(x, self.relu(self.fc1(x))))


class TwoBranch(nn.Module):
    """y = head(concat(a(x), relu(b(x)))): two branches read x."""

    def __init__(self, n_in, wa, wb):
        super().__init__()
        self.a = nn.Linear(n_in, wa)
        self.b = nn.Sequential(nn.Linear(n_in, wb), nn.ReLU())
        self.cat = nn.Concat()
        self.head = nn.Linear(wa + wb, 3)

    def forward(self, x):
        return self.head(self.cat(self.a(x), self.b(x)))


class SharedFanOut(nn.Module):
    """One hidden array read by three layers, one of them twice (add(h, h))."""

    def __init__(self, n_in, width):
        super().__init__()
        self.fc = nn.Linear(n_in, width)
        self.left, self.right = nn.Linear(width, width), nn.Linear(width, width)
        self.add = nn.Add()

    def forward(self, x):
        h = self.fc(x)
        return self.add(self.left(h), self.right(h), h, h)


@given(st.data(), sizes, sizes, seeds)
def test_residual_block_gradients(data, n, width, seed):
    model = randomize(Residual(width).double(), seed)
    x = data.draw(signed_values((n, width)))
    # fc1's bias keeps the ReLU inputs away from the kink, which differences would cross
    model.fc1.bias.data[...] = offsets_away_from_kink(x @ model.fc1.weight.data.T)
    assert_grads_close(check_layer(model, x))


@given(st.data(), sizes, sizes, sizes, seeds)
def test_two_branch_concat_gradients(data, n, wa, wb, seed):
    model = randomize(TwoBranch(3, wa, wb).double(), seed)
    x = data.draw(signed_values((n, 3)))
    model.b[0].bias.data[...] = offsets_away_from_kink(x @ model.b[0].weight.data.T)
    assert_grads_close(check_layer(model, x))


@given(st.data(), sizes, sizes, seeds)
def test_fan_out_sums_gradients(data, n, width, seed):
    model = randomize(SharedFanOut(3, width).double(), seed)
    assert_grads_close(check_layer(model, data.draw(signed_values((n, 3)))))


@given(st.data(), st.integers(2, 4), sizes, sizes)
def test_add_and_concat_layers_alone(data, k, n, c):
    """Each input's gradient, from both standalone forms, against differences."""
    xs = [data.draw(signed_values((n, c + i))) for i in range(k)]
    same = [x[:, :c].copy() for x in xs]
    for layer, inputs in ((nn.Add(), same), (nn.Concat(), xs)):
        out, cache = layer.forward(*inputs)
        upstream = np.random.default_rng(k).normal(size=out.shape)
        grads = layer.backward(upstream, cache)
        y = layer(*inputs)
        np.testing.assert_array_equal(y, out)
        assert all(np.array_equal(a, b) for a, b in zip(layer.backward(upstream), grads))
        assert isinstance(grads, tuple) and len(grads) == k
        for i, x in enumerate(inputs):
            numeric = numerical_gradient(lambda: layer.forward(*inputs)[0], x, upstream)
            assert relative_error(grads[i], numeric) < GRAD_TOL


def test_add_and_concat_values():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_array_equal(nn.Add()(a, b, b), a + 2)
    np.testing.assert_array_equal(nn.Concat()(a, b[:, :1]), np.hstack([a, b[:, :1]]))


@pytest.mark.parametrize("call, message", [
    (lambda: nn.Add()(np.ones((2, 3)), np.ones((2, 4))), r"Add needs inputs of one shape.*\(2, 3\).*\(2, 4\)"),
    (lambda: nn.Add()(np.ones((2, 3))), "joins several arrays"),
    (lambda: nn.Add()(np.ones((2, 3)), np.ones((2, 3), np.float32)), "input 1 is float32 but input 0 is float64"),
    (lambda: nn.Concat()(np.ones((2, 3)), np.ones((3, 3))), "input 1 has shape"),
    (lambda: nn.Concat(dim=0), "dim=1"),
])
def test_add_and_concat_refuse_bad_inputs(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_residual_training_reduces_the_loss():
    tn.manual_seed(0)
    model, loss_fn = Residual(4), nn.CrossEntropyLoss()
    opt = tn.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 4)).astype(np.float32), rng.integers(0, 2, size=20)
    losses = []
    for _ in range(100):
        losses.append(loss_fn(model(x), y))
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()
    assert losses[-1] < 0.7 * losses[0]


def test_unused_branch_gets_no_gradient_and_input_grad_of_unused_input_is_zero():
    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.used, self.unused = nn.Linear(3, 2), nn.Linear(3, 2)

        def forward(self, x):
            self.unused(x)
            return self.used(x)

    model = Unused().double()
    x = np.ones((4, 3))
    out = model(x)
    dx = model.backward(np.ones_like(out), input_grad=True)
    assert model.unused.weight.grad is None and model.used.weight.grad is not None
    np.testing.assert_allclose(dx, np.ones((4, 2)) @ model.used.weight.data)


def test_module_list_registers_like_pytorch():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 4), nn.ReLU()])
            self.layers.append(nn.Linear(4, 2))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Stack()
    assert len(model.layers) == 3 and isinstance(model.layers[-1], nn.Linear)
    assert [type(m).__name__ for m in model.layers] == ["Linear", "ReLU", "Linear"]
    assert list(model.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert len(list(model.parameters())) == 4
    assert isinstance(model.layers[1:], nn.ModuleList) and len(model.layers[1:]) == 2
    model.layers.extend([nn.ReLU()])
    assert len(model.layers) == 4
    out = model(np.ones((2, 3), np.float32))
    model.backward(np.ones_like(out))
    assert all(p.grad is not None for p in model.parameters())
    with pytest.raises(TypeError, match="ModuleList takes modules"):
        model.layers.append(3)
    with pytest.raises(TypeError, match="ModuleList has no forward"):
        model.layers(np.ones((2, 3), np.float32))


# -- both standalone forms, for every built-in layer -----------------------
def built_in_layers():
    tn.manual_seed(0)
    return [
        (nn.Linear(4, 3).double(), (5, 4)),
        (nn.ReLU(), (5, 4)),
        (nn.BatchNorm1d(4).double(), (5, 4)),
        (nn.BatchNorm1d(4).double().eval(), (5, 4)),
        (nn.Dropout(0.3), (5, 4)),
        (nn.Dropout(0.3).eval(), (5, 4)),
        (nn.DropConnect(4, 3, p=0.3).double(), (5, 4)),
        (nn.Flatten(), (5, 2, 2)),
    ]


@pytest.mark.parametrize("index", range(8))
def test_both_standalone_forms_agree(index):
    layer, shape = built_in_layers()[index]
    rng = np.random.default_rng(index)
    x = rng.normal(size=shape)
    tn.manual_seed(1)
    out, cache = layer.forward(x)
    upstream = rng.normal(size=out.shape)
    layer.zero_grad()
    dx = layer.backward(upstream, cache)
    explicit_grads = [p.grad.copy() for p in layer.parameters()]
    tn.manual_seed(1)
    y = layer(x)
    layer.zero_grad()
    np.testing.assert_array_equal(y, out)
    np.testing.assert_array_equal(layer.backward(upstream), dx)
    for p, g in zip(layer.parameters(), explicit_grads):
        np.testing.assert_array_equal(p.grad, g)
    with pytest.raises(RuntimeError, match="already used by a backward"):
        layer.backward(upstream)


def test_a_student_layer_with_the_documented_signature_works_everywhere():
    """backward(dout, cache) without need_dx: standalone, and as a model's first trainable layer."""
    class Scale(nn.Layer):
        def __init__(self, n):
            super().__init__()
            self.w = nn.Parameter(np.full(n, 2.0))

        def forward(self, x):
            return x * self.w.data, x

        def backward(self, dout, cache):
            x = cache
            self.w.accumulate_grad((dout * x).sum(axis=0))
            return dout * self.w.data

    layer = Scale(3)
    x = np.arange(6.0).reshape(2, 3)
    layer(x)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), np.full((2, 3), 2.0))
    model = nn.Sequential(Scale(3), nn.Linear(3, 2).double())
    out = model(x)
    assert model.backward(np.ones_like(out)) is None
    np.testing.assert_array_equal(model[0].w.grad, (np.ones((2, 2)) @ model[1].weight.data * x).sum(axis=0))
    assert_grads_close(check_layer(model, x + 1.0))


def test_the_readme_residual_example_runs():
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [example] = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "ResidualMLP" in b]
    namespace = {}
    exec(compile(example, "README.md", "exec"), namespace)
    model = namespace["model"]
    assert isinstance(namespace["loss"], float)
    assert all(p.grad is not None and p.grad.shape == p.data.shape for p in model.parameters())


def test_a_forward_returning_an_earlier_output_backpropagates_only_what_it_returns():
    class EarlyReturn(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(3, 3), nn.Linear(3, 3)

        def forward(self, x):
            h = self.fc1(x)
            self.fc2(h)                          # computed, not returned: no gradient reaches it
            return h

    model = EarlyReturn().double()
    x = np.ones((2, 3))
    out = model(x)
    dx = model.backward(np.ones_like(out), input_grad=True)
    assert model.fc2.weight.grad is None
    np.testing.assert_allclose(model.fc1.weight.grad, np.ones((3, 2)) @ x)
    np.testing.assert_allclose(dx, np.ones((2, 3)) @ model.fc1.weight.data)
