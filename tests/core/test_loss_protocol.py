"""The Loss protocol (a layer with a scalar output): which call ``loss_fn.backward()`` refers to."""
import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def logits_and_labels(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)


def test_call_then_backward_and_the_explicit_pair_agree():
    loss_fn = nn.CrossEntropyLoss()
    z, y = logits_and_labels()
    loss = loss_fn(z, y)
    assert isinstance(loss, float)
    grad = loss_fn.backward()
    value, cache = loss_fn.forward(z, y)
    assert value == loss
    np.testing.assert_array_equal(loss_fn.backward(1.0, cache), grad)
    np.testing.assert_allclose(loss_fn.backward(2.0, cache), 2 * grad)
    loss_fn(z, y)
    np.testing.assert_allclose(loss_fn.backward(0.5), 0.5 * grad)


def test_backward_before_any_call_and_twice():
    loss_fn = nn.CrossEntropyLoss()
    with pytest.raises(RuntimeError, match="needs a forward call first"):
        loss_fn.backward()
    loss_fn(*logits_and_labels())
    loss_fn.backward()
    with pytest.raises(RuntimeError, match="already called for the last loss"):
        loss_fn.backward()


def test_backward_after_a_call_that_raised_is_refused():
    loss_fn = nn.CrossEntropyLoss()
    z, y = logits_and_labels()
    loss_fn(z, y)
    with pytest.raises(ValueError):
        loss_fn(z, y + 5)                                   # labels out of range
    with pytest.raises(RuntimeError, match="the last call of the loss raised an error"):
        loss_fn.backward()


def test_two_recording_calls_without_backward_are_ambiguous():
    """The old loss silently returned the validation batch's gradient."""
    loss_fn = nn.CrossEntropyLoss()
    z, y = logits_and_labels()
    loss_fn(z, y)                                           # training loss
    loss_fn(*logits_and_labels(1))                          # validation loss, gradients enabled
    with pytest.raises(RuntimeError, match=r"ambiguous.*tn.no_grad\(\)"):
        loss_fn.backward()
    loss_fn(z, y)                                           # after the refusal, a fresh call is fine
    loss_fn.backward()


def test_calls_under_no_grad_record_nothing():
    loss_fn = nn.CrossEntropyLoss()
    z, y = logits_and_labels()
    loss_fn(z, y)
    expected = nn.CrossEntropyLoss()
    expected(z, y)
    with tn.no_grad():
        validation = loss_fn(*logits_and_labels(1))
    assert isinstance(validation, float)
    np.testing.assert_array_equal(loss_fn.backward(), expected.backward())
    with tn.no_grad():
        loss_fn(z, y)
    with pytest.raises(RuntimeError, match="already called"):
        loss_fn.backward()


def test_a_student_loss_follows_the_same_protocol():
    class HalfSquaredError(nn.Loss):
        """L = (1/2N) sum (z - t)^2;  dL/dz = (z - t) / N."""

        def forward(self, input, target):
            diff = input - target
            return float((diff * diff).sum() / (2 * len(diff))), diff

        def backward(self, dout, cache):
            diff = cache
            return dout * diff / len(diff)

    loss_fn = HalfSquaredError()
    z, t = np.ones((2, 3)), np.zeros((2, 3))
    assert loss_fn(z, t) == 1.5
    np.testing.assert_array_equal(loss_fn.backward(), np.full((2, 3), 0.5))
    with pytest.raises(RuntimeError, match="already called"):
        loss_fn.backward()


def test_a_loss_forward_that_returns_only_the_value_is_explained():
    class Forgot(nn.Loss):
        def forward(self, input, target):
            return float(((input - target) ** 2).mean())

        def backward(self, dout, cache):
            return None

    with pytest.raises(TypeError, match=r"Forgot.forward must return \(loss, cache\).*you returned a float"):
        Forgot()(np.ones(3), np.zeros(3))


def test_the_loss_gradient_is_linked_to_its_logits():
    tn.manual_seed(0)
    model, loss_fn = nn.Sequential(nn.Linear(3, 3)).double(), nn.CrossEntropyLoss()
    x, y = logits_and_labels()
    loss_fn(model(x), y)
    grad = loss_fn.backward()
    model(x)
    with pytest.raises(RuntimeError, match="earlier output"):
        model.backward(grad)
    logits = model(x)
    loss_fn(logits, y)
    model.backward(loss_fn.backward())                      # the right pairing works
