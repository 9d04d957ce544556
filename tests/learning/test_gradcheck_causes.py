"""Hints that name the cause: each bug planted in a real layer, its hint's kind and words checked."""
import numpy as np

from tinynet import nn
from tinynet.gradcheck import check_function, check_layer, check_loss
from tinynet.testing import randomize_parameters

RNG = np.random.default_rng(11)


def one_line(message):
    return " ".join(message.split())


def only_hint(result):
    assert not result.ok
    [hint] = result.hints
    return hint.kind, hint.tensor, one_line(hint.message)


def batchnorm(cls, seed=1):
    """A BatchNorm1d (or subclass) with gamma and beta far from 1 and 0, and a batch of 6 rows."""
    layer = randomize_parameters(cls(4).double(), seed)
    return layer, RNG.normal(size=(6, 4)) * 2.0 + 0.5


def batchnorm_dx(dxhat, cache, n_in_variance):
    """BatchNorm1d's dx (see nn/batchnorm.py), with the variance's N written as ``n_in_variance``."""
    training, xc, s, xhat = cache
    dvar = -0.5 * s ** 3 * (dxhat * xc).sum(axis=0)
    dmu = -s * dxhat.sum(axis=0)
    return dxhat * s + dvar * 2.0 * xc / n_in_variance + dmu / dxhat.shape[0]


# -- a constant factor named by the layer's own numbers -----------------------------
class DropoutWithoutScale(nn.Dropout):
    def backward(self, dout, cache):
        return dout * (cache != 0)                           # bug: the mask's 1/(1-p) is gone


class DropoutScaledTwice(nn.Dropout):
    def backward(self, dout, cache):
        return dout * cache / (1 - self.p)                   # bug: the mask holds 1/(1-p) already


class DropoutKeepProbability(nn.Dropout):
    def backward(self, dout, cache):
        return dout * (cache != 0) / self.p                  # bug: p taken as the probability of keeping


class DropConnectWithoutScale(nn.DropConnect):
    def backward(self, dout, cache, need_dx=True):
        x, M, W_tilde = cache
        self.weight.accumulate_grad((dout.T @ x) * (M != 0))     # bug: M's 1/(1-p) is gone
        self.bias.accumulate_grad(dout.sum(axis=0))
        return dout @ W_tilde


def test_dropout_missing_its_scaling_names_one_minus_p():
    kind, tensor, message = only_hint(check_layer(DropoutWithoutScale(0.4), RNG.normal(size=(5, 6))))
    assert (kind, tensor) == ("scale", "x")
    assert message == ("analytic = (1-p) x numeric = 0.6 x numeric for every entry of x, where p = 0.4 is "
                       "DropoutWithoutScale's probability of dropping: the backward is missing the 1/(1-p) "
                       "scaling of the kept units")
    assert "such as" not in message


def test_dropout_scaled_twice_and_p_as_keep_probability_are_named():
    _, _, twice = only_hint(check_layer(DropoutScaledTwice(0.3), RNG.normal(size=(5, 6))))
    assert twice.startswith("analytic = 1/(1-p) x numeric") and "once too often" in twice
    _, _, keep = only_hint(check_layer(DropoutKeepProbability(0.3), RNG.normal(size=(5, 6))))
    assert keep.startswith("analytic = (1-p)/p x numeric") and "not of keeping" in keep


def test_with_p_one_half_both_readings_are_given():
    _, _, message = only_hint(check_layer(DropoutWithoutScale(0.5), RNG.normal(size=(5, 6))))
    assert "the 1/(1-p) scaling of the kept units" in message and "a missing factor 2" in message


def test_any_layer_with_p_gets_the_same_words():
    layer = randomize_parameters(DropConnectWithoutScale(4, 3, p=0.25).double(), 2)
    kind, tensor, message = only_hint(check_layer(layer, RNG.normal(size=(5, 4))))
    assert (kind, tensor) == ("scale", "weight")
    assert message.startswith("analytic = (1-p) x numeric = 0.75 x numeric for every entry of weight, where "
                              "p = 0.25 is DropConnectWithoutScale's probability of dropping")


def test_a_float_attribute_of_the_layer_names_the_factor():
    class Scale(nn.Layer):
        def __init__(self, alpha):
            super().__init__()
            self.alpha = alpha

        def forward(self, x):
            return self.alpha * x, None

        def backward(self, dout, cache):
            return dout                                      # bug: d(alpha x)/dx = alpha

    kind, _, message = only_hint(check_layer(Scale(0.3), RNG.normal(size=(4, 3))))
    assert kind == "scale"
    assert message.startswith("analytic = 1/alpha x numeric = 3.33333 x numeric for every entry of x, where "
                              "alpha = 0.3 is Scale's alpha: a missing factor alpha")


class BatchVariance(nn.Layer):
    """y = (1/N) sum_n (x[n] - mu)^2 per column: the biased variance of the batch."""

    def forward(self, x):
        xc = x - x.mean(axis=0)
        return (xc * xc).mean(axis=0), xc

    def backward(self, dout, cache):
        xc = cache
        return dout * 2.0 * xc / (xc.shape[0] - 1)           # bug: the forward divides by N


class BatchMean(nn.Layer):
    def forward(self, x):
        return x.mean(axis=0), x.shape

    def backward(self, dout, cache):
        return np.broadcast_to(dout, cache).copy()           # bug: d mean / dx[n] = 1/N


def test_n_minus_one_in_a_variance_is_named():
    kind, _, message = only_hint(check_layer(BatchVariance(), RNG.normal(size=(6, 3))))
    assert kind == "scale"
    assert message.startswith("analytic = N/(N-1) x numeric = 1.2 x numeric for every entry of x, where N = 6 "
                              "is the batch size: the backward divides by N-1 where the forward divides by N")


def test_a_missing_one_over_n_is_named_by_the_batch_size():
    kind, _, message = only_hint(check_layer(BatchMean(), RNG.normal(size=(7, 3))))
    assert kind == "scale" and message.startswith("analytic = N x numeric = 7 x numeric") and "1/N = 1/7" in message


def test_an_extra_factor_two():
    w = RNG.normal(size=(3, 4))
    kind, _, message = only_hint(check_function(lambda w: 0.3 * np.sum(w ** 2), lambda w: 1.2 * w, w))
    assert kind == "scale" and message.startswith("analytic = 2 x numeric for every entry of x: an extra factor 2")


def test_an_unknown_factor_says_so_without_guessing():
    w = RNG.normal(size=(3, 4))
    kind, _, message = only_hint(check_function(lambda w: 0.3 * np.sum(w ** 2), lambda w: 0.37 * w, w))
    assert kind == "scale" and "is none of the factors gradcheck knows" in message and "such as 1/N" not in message


# -- dout ignored --------------------------------------------------------------------
class ReLUIgnoringDout(nn.ReLU):
    def forward(self, x):
        return np.maximum(x, 0), x > 0

    def backward(self, dout, cache):
        return cache.astype(np.float64)                      # bug: dout * mask


class CrossEntropyIgnoringDout(nn.CrossEntropyLoss):
    def backward(self, dout, cache):
        return super().backward(1.0, cache)                  # bug: dout * dlogits


def test_a_backward_that_ignores_dout_is_named():
    x = RNG.choice([-1.0, 1.0], size=(4, 5)) * RNG.uniform(0.2, 2.0, size=(4, 5))
    kind, tensor, message = only_hint(check_layer(ReLUIgnoringDout(), x))
    assert (kind, tensor) == ("dout_ignored", "x") and "dout is ignored" in message


def test_a_loss_that_ignores_dout_is_named_not_a_scale():
    result = check_loss(CrossEntropyIgnoringDout(), RNG.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0]))
    kind, _, message = only_hint(result)
    assert kind == "dout_ignored" and "dout is ignored" in message and "x numeric" not in message
    assert check_loss(nn.CrossEntropyLoss(), RNG.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])).ok


# -- swapped -----------------------------------------------------------------------------
class BatchNormSwapped(nn.BatchNorm1d):
    def backward(self, dout, cache, need_dx=True):
        training, xc, s, xhat = cache
        self.weight.accumulate_grad(dout.sum(axis=0))            # bug: dgamma = sum(dout * xhat)
        self.bias.accumulate_grad((dout * xhat).sum(axis=0))     # bug: dbeta = sum(dout)
        if need_dx:
            return batchnorm_dx(dout * self.weight.data, cache, dout.shape[0])


def test_swapped_gamma_and_beta_gradients():
    result = check_layer(*batchnorm(BatchNormSwapped))
    assert result.failed == ("weight", "bias")
    assert [(h.kind, h.tensor) for h in result.hints] == [("swapped", "weight"), ("swapped", "bias")]
    assert "the gradients of weight and bias are swapped" in one_line(result.hints[0].message)


# -- the form of the derivative, and batch statistics ------------------------------------------
class SigmoidAppliedTwice(nn.Sigmoid):
    def backward(self, dout, cache):
        y = 1.0 / (1.0 + np.exp(-cache))                    # bug: cache is y = sigma(x) already
        return dout * y * (1.0 - y)


class BatchNormWithoutMeanPath(nn.BatchNorm1d):
    def backward(self, dout, cache, need_dx=True):
        training, xc, s, xhat = cache
        self.weight.accumulate_grad((dout * xhat).sum(axis=0))
        self.bias.accumulate_grad(dout.sum(axis=0))
        dxhat = dout * self.weight.data
        dvar = -0.5 * s ** 3 * (dxhat * xc).sum(axis=0)
        return dxhat * s + dvar * 2.0 * xc / dout.shape[0]      # bug: + dmu / N is missing


class BatchNormUnbiasedVariance(nn.BatchNorm1d):
    def backward(self, dout, cache, need_dx=True):
        training, xc, s, xhat = cache
        self.weight.accumulate_grad((dout * xhat).sum(axis=0))
        self.bias.accumulate_grad(dout.sum(axis=0))
        return batchnorm_dx(dout * self.weight.data, cache, dout.shape[0] - 1)   # bug: N - 1


def test_sigmoid_applied_twice_is_a_wrong_form_not_a_constant():
    kind, tensor, message = only_hint(check_layer(SigmoidAppliedTwice(), RNG.normal(size=(4, 5)) * 1.5))
    assert (kind, tensor) == ("form", "x")
    assert "is not one constant: it ranges from" in message and "the form of the derivative is wrong" in message
    assert "x numeric" not in message


def test_batchnorm_without_the_mean_path():
    kind, tensor, message = only_hint(check_layer(*batchnorm(BatchNormWithoutMeanPath)))
    assert (kind, tensor) == ("batch_statistic", "x")
    assert "is the same in every row of x" in message and "mean mu" in message


def test_batchnorm_with_n_minus_one_in_the_variance():
    kind, tensor, message = only_hint(check_layer(*batchnorm(BatchNormUnbiasedVariance)))
    assert (kind, tensor) == ("batch_statistic", "x")
    assert "a straight-line function a + b x" in message and "N-1 in one pass where the other uses N" in message


def test_the_correct_batchnorm_has_no_hint():
    result = check_layer(*batchnorm(nn.BatchNorm1d))
    assert result.ok and not result.hints and not result.warnings, str(result)
