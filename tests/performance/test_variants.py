"""The benchmark's variants (experiments/benchmark/variants.py): each one
switches off exactly the check it names, on its own contestant only, and a
variant whose check the step no longer calls is refused by name."""
import numpy as np
import pytest

from experiments.benchmark import variants
from experiments.benchmark.contestants import TinynetStep
from experiments.benchmark.network import init_weights, make_batches


def make():
    return TinynetStep(init_weights(0), 10)


def batch(step):
    return step.prepare(*make_batches(10, n_batches=1)[0])


def test_without_the_label_check_a_bad_label_passes_the_loss_unchecked():
    x, y = batch(make())
    y[0] = -1                                  # numpy reads -1 as the last class: silently wrong
    with pytest.raises(ValueError, match="CrossEntropyLoss"):
        make().step(x, y)
    variants.apply(make, "no_label_check").step(x, y)


def test_without_the_gradient_check_the_optimiser_takes_any_gradient():
    checked, unchecked = make(), variants.apply(make, "no_grad_check")
    for step in (checked, unchecked):
        for p in step.opt.params:
            p.grad = np.zeros(p.data.shape, np.float64)          # the wrong dtype
    with pytest.raises(TypeError, match="gradient"):
        checked.opt.step()
    unchecked.opt.step()


def test_without_the_input_check_linear_takes_a_float64_input():
    x, y = batch(make())
    with pytest.raises(TypeError, match="Linear has float32 parameters but got a float64 input"):
        make().step(x.astype(np.float64), y)
    # unchecked, the float64 input goes through and only its gradient is refused
    with pytest.raises(TypeError, match="SGD.step: the gradient .* is float64"):
        variants.apply(make, "no_input_check").step(x.astype(np.float64), y)


def test_a_variant_changes_its_own_contestant_only():
    variants.apply(make, "no_label_check")
    x, y = batch(make())
    y[0] = -1
    with pytest.raises(ValueError, match="CrossEntropyLoss"):   # a fresh step still checks
        make().step(x, y)


def test_the_direct_step_is_the_same_step_without_the_tape():
    taped, direct = make(), variants.apply(make, "direct")
    x, y = batch(taped)
    assert direct.step(x, y) == taped.step(x, y)
    for (w1, b1), (w2, b2) in zip(taped.weights(), direct.weights()):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)


def test_a_check_the_step_never_calls_is_refused_by_name():
    def make_without_loss():
        step = make()
        step.step = lambda x, y: step.opt.step()   # a core whose loss check moved elsewhere
        return step
    with pytest.raises(variants.VariantError, match="no_label_check: tinynet's step never calls"):
        variants.apply(make_without_loss, "no_label_check")
    with pytest.raises(variants.VariantError, match="unknown variant 'fast'"):
        variants.apply(make, "fast")
