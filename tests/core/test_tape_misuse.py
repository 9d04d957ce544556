"""What the tape refuses, each with a message saying what happened and what to do.

Every test here is a regression test: on the old tape each case either gave
a silently wrong gradient or a confusing error."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def data(n=4, n_in=3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, n_in)), rng.integers(0, 2, size=n)


class TwoLayers(nn.Module):
    """fc2(relu(edit(fc1(prep(x))))) with hooks for the student's edits."""

    def __init__(self, prep=None, edit=None):
        super().__init__()
        tn.manual_seed(0)
        self.fc1, self.relu, self.fc2 = nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)
        self.double()
        self.prep, self.edit = prep, edit

    def forward(self, x):
        h = self.fc1(self.prep(x) if self.prep else x)
        if self.edit:
            h = self.edit(h)
        return self.fc2(self.relu(h))


def run(model, x, input_grad=False):
    out = model(x)
    return model.backward(np.ones_like(out), input_grad=input_grad)


# -- in-place edits of recorded arrays ---------------------------------------
def times_two_in_place(h):
    h *= 2
    return h


def relu_in_place(h):
    np.maximum(h, 0, out=h)
    return h


@pytest.mark.parametrize("edit", [times_two_in_place, relu_in_place])
def test_in_place_edit_of_a_recorded_output_fails_loudly(edit):
    with pytest.raises(ValueError, match="read-only"):
        run(TwoLayers(edit=edit), data()[0])


def test_a_recorded_output_made_writeable_again_is_refused_at_backward():
    def sneaky(h):
        h.flags.writeable = True
        h *= 2
        return h

    model = TwoLayers(edit=sneaky)
    with pytest.raises(RuntimeError, match="output of Linear was made writeable again"):
        run(model, data()[0])
    assert model.fc1.weight.grad is None                    # refused before any gradient


def test_the_callers_input_is_never_made_read_only():
    x = data()[0]
    for model in (nn.Sequential(nn.Dropout(0.5).eval(), nn.Linear(3, 2).double()),
                  nn.Sequential(nn.Flatten(), nn.Linear(3, 2).double()), TwoLayers()):
        out = model(x)
        assert x.flags.writeable and not out.flags.writeable
        model.backward(np.ones_like(out), input_grad=True)
    with tn.no_grad():
        assert TwoLayers()(x).flags.writeable              # nothing recorded, nothing protected


# -- arithmetic outside layers -----------------------------------------------
def test_arithmetic_between_layers_is_refused():
    model = TwoLayers(edit=lambda h: h * 2)
    with pytest.raises(RuntimeError, match=r"ReLU \(call 2\) received an array of shape \(4, 5\) that "
                                           "no layer produced: NumPy arithmetic between layers"):
        run(model, data()[0])
    assert all(p.grad is None for p in model.parameters())


def test_arithmetic_after_the_last_layer_is_refused():
    class Doubled(TwoLayers):
        def forward(self, x):
            return super().forward(x) * 2

    with pytest.raises(RuntimeError, match="NumPy arithmetic after the last layer"):
        run(Doubled(), data()[0])


def test_arithmetic_before_the_first_layer_is_preprocessing_unless_input_grad():
    x = data()[0]
    model = TwoLayers(prep=lambda x: x / 2)
    with pytest.raises(RuntimeError, match=r"input_grad=True\): Linear \(call 1\) received .* computed "
                                           "from the model's input before any layer ran"):
        run(model, x, input_grad=True)
    run(model, x)                                           # data preprocessing: fine
    reference = TwoLayers()
    run(reference, x / 2)
    for p, q in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(p.grad, q.grad)


def test_a_module_that_computes_with_numpy_is_told_to_subclass_layer():
    class MyReLU(nn.Module):
        def forward(self, x):
            return np.maximum(x, 0)

    model = nn.Sequential(nn.Linear(3, 4).double(), MyReLU(), nn.Linear(4, 2).double())
    with pytest.raises(RuntimeError, match="MyReLU is a Module whose forward returned .* subclass nn.Layer"):
        run(model, data()[0])
    with pytest.raises(RuntimeError, match="MyReLU.forward ran no layer .* subclass nn.Layer and write"):
        run(MyReLU(), data()[0])


def test_a_composite_layer_calling_a_sublayer_gets_its_own_message():
    class Block(nn.Layer):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3).double()

        def forward(self, x):
            return self.fc(x) * 2, None

        def backward(self, dout, cache):
            return dout

    model = nn.Sequential(Block(), nn.Linear(3, 2).double())
    with pytest.raises(RuntimeError, match=r"Block is a layer whose forward calls another layer \(Linear\)"):
        run(model, data()[0])


# -- which forward is backpropagated ---------------------------------------
def test_a_second_forward_before_backward_is_refused():
    model, loss_fn = TwoLayers(), nn.CrossEntropyLoss()
    x, y = data()
    loss_fn(model(x), y)
    grad = loss_fn.backward()
    model(x + 1.0)                                          # a validation batch, same size
    with pytest.raises(RuntimeError, match="you ran a second forward .* tn.no_grad"):
        model.backward(grad)


def test_a_forward_under_no_grad_leaves_the_training_tape():
    x, y = data()
    grads = []
    for validate in (False, True):
        model, loss_fn = TwoLayers(), nn.CrossEntropyLoss()
        loss_fn(model(x), y)
        if validate:
            with tn.no_grad():
                loss_fn(model(x + 1.0), y)
        model.backward(loss_fn.backward())
        grads.append([p.grad for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


def test_a_forward_that_raised_clears_the_tape():
    model, loss_fn = TwoLayers(), nn.CrossEntropyLoss()
    x, y = data()
    loss_fn(model(x), y)
    grad = loss_fn.backward()
    with pytest.raises(ValueError):
        model(np.ones((4, 7)))                              # wrong width
    with pytest.raises(RuntimeError, match="the last forward raised an error"):
        model.backward(grad)


def test_backward_twice_is_refused():
    model, x = TwoLayers(), data()[0]
    out = model(x)
    model.backward(np.ones_like(out))
    with pytest.raises(RuntimeError, match="already backpropagated"):
        model.backward(np.ones_like(out))


# -- registration -----------------------------------------------------------
def test_layers_in_a_plain_list_are_refused_with_how_to_register():
    class Listed(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)]

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Listed()
    assert list(model.parameters()) == []
    out = model(data()[0].astype(np.float32))
    with pytest.raises(RuntimeError, match=r"Linear \(call 1\) has parameters .* not registered in Listed.*"
                                           r"nn.ModuleList"):
        model.backward(np.ones_like(out))


def test_a_module_without_super_init_gets_a_clear_error_at_first_use():
    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x)

    for use in (lambda m: m(np.ones((2, 3), np.float32)), lambda m: list(m.parameters()),
                lambda m: m.state_dict()):
        with pytest.raises(RuntimeError, match=r"Forgot.*must call super\(\).__init__\(\)"):
            use(Forgot())


def test_a_layer_without_super_init_gets_a_clear_error_in_a_model():
    class Forgot(nn.Layer):
        def __init__(self):
            self.scale = 2.0

        def forward(self, x):
            return x * self.scale, None

        def backward(self, dout, cache):
            return dout * self.scale

    model = nn.Sequential(nn.Linear(3, 3), Forgot())
    with pytest.raises(RuntimeError, match=r"Forgot.*must call super\(\).__init__\(\)"):
        model(np.ones((2, 3), np.float32))


# -- the layer contract -------------------------------------------------------
class NoCache(nn.Layer):
    def forward(self, x):
        return x * 2

    def backward(self, dout, cache):
        return dout * 2


def test_a_forward_that_returns_no_cache_is_explained():
    for call in (lambda: NoCache()(np.ones((2, 3))),
                 lambda: nn.Sequential(nn.Linear(3, 3), NoCache())(np.ones((2, 3), np.float32))):
        with pytest.raises(TypeError, match=r"NoCache.forward must return \(out, cache\).*you returned "
                                            r"an array of shape \(2, 3\)"):
            call()


@pytest.mark.parametrize("returned, message", [
    (lambda dout: None, "returned None as the gradient .* forget to `return dx`"),
    (lambda dout: dout[:1], r"returned an array of shape \(1, 3\) as the gradient of an input of shape \(2, 3\)"),
])
def test_a_backward_that_returns_a_wrong_gradient_is_refused(returned, message):
    class Bad(nn.Layer):
        def forward(self, x):
            return x * 2, None

        def backward(self, dout, cache):
            return returned(dout)

    model = nn.Sequential(nn.Linear(3, 3), Bad(), nn.Linear(3, 2))
    out = model(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=message):
        model.backward(np.ones_like(out))


def test_standalone_backward_without_a_call_or_after_a_raise_is_explained():
    relu = nn.ReLU()
    with pytest.raises(RuntimeError, match="there was none"):
        relu.backward(np.ones((2, 3)))
    linear = nn.Linear(3, 2)
    linear(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError):
        linear(np.ones((2, 4), np.float32))
    with pytest.raises(RuntimeError, match="the last call of the layer raised"):
        linear.backward(np.ones((2, 2), np.float32))
    with tn.no_grad():
        relu(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="there was none"):   # no_grad calls keep no cache
        relu.backward(np.ones((2, 3)))


def test_need_dx_is_passed_only_to_a_backward_that_declares_it():
    assert nn.Linear._accepts_need_dx and nn.BatchNorm1d._accepts_need_dx
    assert not nn.ReLU._accepts_need_dx and not NoCache._accepts_need_dx


def test_a_forward_whose_out_is_not_an_array_is_explained():
    class Scalar(nn.Layer):
        def forward(self, x):
            return float(x.sum()), None

        def backward(self, dout, cache):
            return dout

    with pytest.raises(TypeError, match="Scalar.forward must return an array as out, got a float"):
        nn.Sequential(nn.Linear(3, 2), Scalar())(np.ones((2, 3), np.float32))
