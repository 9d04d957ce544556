"""BatchNorm1d refuses non-finite batch statistics before storing anything: a non-finite value is an error, never a statistic."""
import numpy as np
import pytest

from tinynet import nn


def trained_layer():
    layer = nn.BatchNorm1d(3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        layer.forward(rng.normal(size=(4, 3)).astype(np.float32))
    return layer


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf - inf, on purpose
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_batchnorm_refuses_a_non_finite_batch_and_keeps_its_running_statistics(bad):
    """Before this check, one NaN in a training batch poisoned running_mean/running_var for good."""
    layer = trained_layer()
    before = {k: v.copy() for k, v in layer.state_dict().items()}
    x = np.ones((4, 3), np.float32)
    x[2, 1] = bad
    with pytest.raises(FloatingPointError, match=r"batch statistics are not finite \(1 of 3 features, the first "
                                                 r"is feature 1\): the input holds 1 non-finite values \(NaN or "
                                                 r"inf\), the first in row 2; usually the learning rate is too "
                                                 "high: training diverged"):
        layer.forward(x)
    after = layer.state_dict()
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    # and the layer goes on working with the next finite batch
    y, _ = layer.forward(np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32))
    assert np.all(np.isfinite(y)) and int(layer.num_batches_tracked) == 4


def test_batchnorm_refuses_statistics_that_overflow():
    layer = nn.BatchNorm1d(2)
    x = np.array([[3e38, 0.0], [-3e38, 1.0]], np.float32)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(FloatingPointError, match="too large for float32"):
        layer.forward(x)
    assert int(layer.num_batches_tracked) == 0 and np.all(layer.running_var == 1)


def test_batchnorm_eval_mode_uses_no_batch_statistics():
    """In evaluation the running statistics are used: nothing is stored, nothing to protect."""
    layer = trained_layer().eval()
    x = np.ones((2, 3), np.float32)
    x[0, 0] = np.nan
    y, _ = layer.forward(x)
    assert np.isnan(y[0, 0]) and np.all(np.isfinite(y[1]))
