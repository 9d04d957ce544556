"""The exercises beyond the MLP: Conv2d, the poolings, the RMSprop and Adam update rules, the
Xavier and He initialisations, and their bug hunt. Each planted bug's hint names its real
cause; each classic mistake in an update rule or a formula is named when a student makes it;
the references are the real tinynet.optim and tinynet.nn.init (and agree with PyTorch)."""
import importlib
import math

import numpy as np
import pytest

from tinynet import nn, optim
from tinynet.exercises import grader
from tinynet.exercises.catalog import find
from tinynet.gradcheck import check_layer

# -- the planted bugs: caught, with a hint that names the real cause ------------------------

LAYER_BUG_HINTS = {
    "conv2d_weight": ("weight", "transpose", (
        "the analytic gradient of weight is the numeric one transposed and reshaped: read as a (18, 3) "
        "matrix, it is the transpose of the right (3, 18) one. It was computed with its two axes in the "
        "other order (e.g. X G^T where G X^T is meant) and then reshaped into weight's shape (3, 2, 3, 3)"),
        "weight의 역전파 기울기가 수치 미분 기울기를 전치한 뒤 모양만 바꾼 것입니다"),
    "maxpool_routing": ("x", "zeros", (
        "the analytic gradient of x is nonzero at 64 of 100 entries where the numeric one is 0, elsewhere "
        "they agree: a missing mask -- these entries do not change the output, so their gradient must be 0"),
        "마스크가 빠졌습니다"),
    "avgpool_scale": ("x", "scale", (
        "analytic = K x numeric = 9 x numeric for every entry of x, where K = kh*kw = 9 is the number of "
        "entries in one 3x3 window of AvgPool2d: a missing 1/K = 1/9 (a mean over a window of K entries "
        "gives each entry the slope 1/K"),
        "1/K = 1/9이 빠졌습니다"),
}


def planted(name, tmp_path):
    bug = find(name, bughunt=True)
    path = tmp_path / f"{name}.py"
    path.write_text(bug.code("en"), encoding="utf-8")
    return bug, path


def flat(text):
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(LAYER_BUG_HINTS))
def test_each_planted_layer_bug_gets_the_hint_of_its_cause(name, tmp_path):
    tensor, kind, english, korean = LAYER_BUG_HINTS[name]
    bug, path = planted(name, tmp_path)
    report = grader.check_file(bug, path, lang="en")
    [hint] = report.results[0].hints
    assert (hint.kind, hint.tensor) == (kind, tensor) and hint.text.en.startswith(english), hint.text.en
    assert korean in hint.text.ko
    assert flat(f"hint [{kind}] {english}") in flat(report.message)
    in_korean = flat(grader.check_file(bug, path, lang="ko").message)
    assert korean in in_korean and english[:40] not in in_korean    # the grader's lang reaches gradcheck


@pytest.mark.parametrize("name, kind, first, english, korean", [
    ("rmsprop_eps", "eps_inside_sqrt",
     "rmsprop_step differs from the reference in case 1 of 2 (arguments: array (3, 4), array (5, 3, 4), "
     "array (3, 4), 0.01, 0.99, 1e-08): param after step 1, entry ",
     "hint [eps_inside_sqrt] eps is inside the square root: the step divides by sqrt(v + eps), but RMSprop "
     "(PyTorch's, and tinynet's) divides by sqrt(v) + eps",
     "힌트 [eps_inside_sqrt] eps가 제곱근 안에 있습니다"),
    ("kaiming_fan", "fan_out_used",
     "kaiming_scale differs from the reference in case 1 of 5 (arguments: 784, 100, 'relu', 0.0): the std "
     f"(of the normal version): got {math.sqrt(2 / 100):.10g}, expected {math.sqrt(2 / 784):.10g}",
     "hint [fan_out_used] the std uses fan_out: He's std keeps the variance of the FORWARD pass",
     "힌트 [fan_out_used] 표준편차에 fan_out을 썼습니다"),
])
def test_each_planted_rule_bug_is_named(name, kind, first, english, korean, tmp_path):
    bug, path = planted(name, tmp_path)
    report = grader.check_file(bug, path, lang="en")
    assert not report.ok and report.findings == ("differs", kind)
    line, hint = report.message.split("\n")
    assert line.startswith(f"bughunt/{name}.py: {first}"), line
    assert hint.startswith(english), hint
    korean_report = grader.check_file(bug, path, lang="ko")
    assert korean_report.message.split("\n")[1].startswith(korean), korean_report.message


# -- a student's classic mistakes in the update rules and formulas ----------------------------

def solved_file(name, tmp_path, *edits):
    """The exercise's solution with ``edits`` (old, new) made, as a student's file."""
    problem = find(name)
    text = problem.code(solution=True)
    for old, new in edits:
        assert text.count(old) == 1, (old, name)
        text = text.replace(old, new)
    path = tmp_path / problem.file
    path.write_text(text, encoding="utf-8")
    return problem, path


MISTAKES = [
    ("rmsprop", "eps_inside_sqrt", [("(np.sqrt(square_avg) + eps)", "np.sqrt(square_avg + eps)")]),
    ("rmsprop", "decay_swapped", [("square_avg *= alpha", "square_avg *= 1 - alpha"),
                                  ("(1 - alpha) * grad * grad", "alpha * grad * grad")]),
    ("adam", "no_bias_correction", [("m_hat = m / (1 - beta1 ** t)", "m_hat = m"),
                                    ("v_hat = v / (1 - beta2 ** t)", "v_hat = v")]),
    ("adam", "eps_inside_sqrt", [("(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)")]),
    ("xavier_init", "sum_not_mean", [("math.sqrt(2.0 / (fan_in + fan_out))", "math.sqrt(1.0 / (fan_in + fan_out))")]),
    ("xavier_init", "bound_is_std", [("bound = math.sqrt(3.0) * std", "bound = std")]),
    ("kaiming_init", "fan_out_used", [("math.sqrt(fan_in)", "math.sqrt(fan_out)")]),
    ("kaiming_init", "bound_is_std", [("bound = math.sqrt(3.0) * std", "bound = std")]),
]


@pytest.mark.parametrize("name, kind, edits", MISTAKES, ids=[f"{n}-{k}" for n, k, _ in MISTAKES])
def test_a_classic_mistake_is_named_in_both_languages(name, kind, edits, tmp_path):
    problem, path = solved_file(name, tmp_path, *edits)
    [mistake] = [m for m in problem.check.mistakes if m.kind == kind]
    report = grader.check_file(problem, path, lang="en")
    assert not report.ok and report.findings == ("differs", kind), report.message
    assert report.message.endswith(f"\nhint [{kind}] {mistake.cause.en}")
    korean = grader.check_file(problem, path, lang="ko")
    assert korean.message.endswith(f"\n힌트 [{kind}] {mistake.cause.ko}")
    assert "의 결과가 정답과 다릅니다" in korean.message


def test_every_known_mistake_is_exercised():
    tested = {(name, kind) for name, kind, _ in MISTAKES}
    for name in ("rmsprop", "adam", "xavier_init", "kaiming_init"):
        assert {(name, m.kind) for m in find(name).check.mistakes} <= tested


@pytest.mark.parametrize("name, edits, where", [
    # a wrong value that is no known mistake: the difference alone, no guess at a cause
    ("rmsprop", [("param -= lr * grad", "param -= 2 * lr * grad")], "param after step 1"),
    ("adam", [("v *= beta2", "v *= beta1")], "param after step 2"),    # v starts at 0: step 1 agrees
    ("kaiming_init", [("std = gain / math.sqrt(fan_in)", "std = gain / fan_in")], "the std (of the normal version)"),
    # a new array instead of an update in place: the caller's param never moves
    ("rmsprop", [("param -= lr * grad / (np.sqrt(square_avg) + eps)",
                  "param = param - lr * grad / (np.sqrt(square_avg) + eps)")], "param after step 1"),
    ("adam", [("m *= beta1\n    m += (1 - beta1) * grad", "m = beta1 * m + (1 - beta1) * grad")],
     "m after step 1"),
])
def test_an_unknown_mistake_shows_the_first_difference_without_a_hint(name, edits, where, tmp_path):
    problem, path = solved_file(name, tmp_path, *edits)
    report = grader.check_file(problem, path, lang="en")
    assert not report.ok and report.findings == ("differs",), report.message
    assert "case 1 of" in report.message and f": {where}" in report.message and "hint" not in report.message


def test_a_function_that_returns_one_number_instead_of_a_pair_is_reported(tmp_path):
    problem, path = solved_file("xavier_init", tmp_path, ("return std, bound", "return std"))
    with pytest.raises(grader.GradingError, match="xavier_scale raised TypeError: cannot unpack"):
        grader.check_file(problem, path, lang="en")


# -- the references are the real thing ------------------------------------------------------------

def test_the_rmsprop_reference_is_tinynets_rmsprop_and_pytorchs():
    torch = pytest.importorskip("torch")
    problem = find("rmsprop")
    for param, grads, square_avg, lr, alpha, eps in problem.check.cases(np.random.default_rng(3)):
        compared = problem.check.run(problem.check.reference, (param.copy(), grads, square_avg.copy(), lr, alpha, eps))
        p = nn.Parameter(param.copy())
        opt = optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)           # one optimizer for every step
        w = torch.tensor(param.copy(), requires_grad=True)
        ref = torch.optim.RMSprop([w], lr=lr, alpha=alpha, eps=eps)
        for t, g in enumerate(grads, 1):
            p.grad = g.copy()
            opt.step()
            w.grad = torch.tensor(g)
            ref.step()
            after = {label.en: value for label, value in compared.items() if label.en.endswith(f"step {t}")}
            assert np.array_equal(after["param after step %d" % t], p.data)
            assert np.array_equal(after["square_avg after step %d" % t], opt.state[0]["square_avg"])
            np.testing.assert_allclose(p.data, w.detach().numpy(), rtol=1e-12, atol=0)


def test_the_adam_reference_is_tinynets_adam_and_pytorchs():
    torch = pytest.importorskip("torch")
    problem = find("adam")
    for param, grads, m, v, lr, beta1, beta2, eps in problem.check.cases(np.random.default_rng(3)):
        compared = problem.check.run(problem.check.reference,
                                     (param.copy(), grads, m.copy(), v.copy(), lr, beta1, beta2, eps))
        p = nn.Parameter(param.copy())
        opt = optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
        w = torch.tensor(param.copy(), requires_grad=True)
        ref = torch.optim.Adam([w], lr=lr, betas=(beta1, beta2), eps=eps)
        for t, g in enumerate(grads, 1):
            p.grad = g.copy()
            opt.step()
            w.grad = torch.tensor(g)
            ref.step()
            after = {label.en: value for label, value in compared.items()}
            assert np.array_equal(after[f"param after step {t}"], p.data)
            assert np.array_equal(after[f"v after step {t}"], opt.state[0]["v"])
            np.testing.assert_allclose(p.data, w.detach().numpy(), rtol=1e-12, atol=0)


def test_the_initialisation_references_are_what_tinynet_draws_with():
    """Read off tinynet.nn.init's draws, the std and bound are the formulas, with PyTorch's gains."""
    torch = pytest.importorskip("torch")
    xavier, kaiming = find("xavier_init").check, find("kaiming_init").check
    for fan_in, fan_out, gain in xavier.cases(np.random.default_rng(1)):
        std, bound = xavier.reference(fan_in, fan_out, gain)
        assert std == pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)), rel=1e-14)
        assert bound == pytest.approx(math.sqrt(3) * std, rel=1e-14)
    for fan_in, fan_out, nonlinearity, a in kaiming.cases(np.random.default_rng(1)):
        std, bound = kaiming.reference(fan_in, fan_out, nonlinearity, a)
        assert std == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan_in), rel=1e-14)
        assert bound == pytest.approx(math.sqrt(3) * std, rel=1e-14)


@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_the_optimizer_references_refuse_a_state_they_cannot_use(name, monkeypatch):
    """If the optimizer kept its running means (or its count of steps) under other names, the reference
    would compare with fresh zeros: it refuses instead."""
    problem = find(name)
    cls = {"rmsprop": optim.RMSprop, "adam": optim.Adam}[name]
    original = cls.buffer
    monkeypatch.setattr(cls, "buffer", lambda self, i, key, initial=0.0: original(self, i, "renamed_" + key, initial))
    args = problem.check.cases(np.random.default_rng(0))[0]
    with pytest.raises(RuntimeError, match="state is now"):
        problem.check.run(problem.check.reference, args)


def test_the_adam_reference_refuses_an_optimizer_that_counts_its_steps_elsewhere(monkeypatch):
    """Counting in an attribute of its own, Adam would not see the step number the case hands over."""
    problem = find("adam")
    monkeypatch.setattr(optim.Adam, "count_step", lambda self, i: 1)
    args = problem.check.cases(np.random.default_rng(0))[0]
    with pytest.raises(RuntimeError, match=r"Adam's state is now \['m', 'step', 'v'\]: update the exercise's"):
        problem.check.run(problem.check.reference, args)


# -- the layers of the templates are tinynet's, and PyTorch's --------------------------------------

def test_the_pooling_templates_are_tinynets_poolings_ties_and_padding_included():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(2, 3, 7, 7)).astype(float)         # many ties
    for name, ours, options in [("maxpool", nn.MaxPool2d, dict(stride=2, padding=1)),
                                ("maxpool", nn.MaxPool2d, {}), ("avgpool", nn.AvgPool2d, dict(stride=2, padding=1))]:
        problem = find(name)
        cls = getattr(importlib.import_module(problem.module), problem.check.name)
        kernel = 3 if options else 2
        theirs_layer, ours_layer = cls(kernel, **options), ours(kernel, **options)
        y, cache = theirs_layer.forward(x)
        expected, expected_cache = ours_layer.forward(x)
        assert np.array_equal(y, expected)
        dout = rng.normal(size=y.shape)
        np.testing.assert_allclose(theirs_layer.backward(dout, cache), ours_layer.backward(dout, expected_cache),
                                   rtol=1e-14, atol=1e-15)


def test_the_maxpool_template_routes_a_tie_to_the_first_maximum_as_pytorch():
    torch = pytest.importorskip("torch")
    problem = find("maxpool")
    cls = getattr(importlib.import_module(problem.module), "MaxPool2d")
    x = np.random.default_rng(1).integers(0, 2, size=(2, 2, 6, 6)).astype(float)
    layer = cls(2)
    y, cache = layer.forward(x)
    dx = layer.backward(np.ones_like(y), cache)
    t = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(t, 2).sum().backward()
    assert np.array_equal(dx, t.grad.numpy())


def test_the_conv_template_is_tinynets_conv2d():
    problem = find("conv2d")
    cls = getattr(importlib.import_module(problem.module), "Conv2d")
    rng = np.random.default_rng(0)
    theirs, ours = cls(2, 3, kernel_size=3, stride=2, padding=1), nn.Conv2d(2, 3, 3, stride=2, padding=1).double()
    ours.weight.data[...], ours.bias.data[...] = theirs.weight.data, theirs.bias.data
    x = rng.normal(size=(2, 2, 6, 6))
    y, cache = theirs.forward(x)
    expected, expected_cache = ours.forward(x)
    np.testing.assert_allclose(y, expected, rtol=1e-13)
    dout = rng.normal(size=y.shape)
    np.testing.assert_allclose(theirs.backward(dout, cache), ours.backward(dout, expected_cache), rtol=1e-12)
    np.testing.assert_allclose(theirs.weight.grad, ours.weight.grad, rtol=1e-12)


# -- gradcheck's two new diagnoses, outside the exercises ----------------------------------------

class ReshapedLinear(nn.Linear):
    """dW computed as x^T G (in, out) and reshaped, not transposed, into (out, in)."""

    def backward(self, dout, cache):
        x = cache
        self.weight.accumulate_grad((x.T @ dout).reshape(self.weight.data.shape))
        self.bias.accumulate_grad(dout.sum(axis=0))
        return dout @ self.weight.data


class AvgPoolWithoutK(nn.AvgPool2d):
    def backward(self, dout, cache):
        return super().backward(dout, cache) * (self.kernel_size[0] * self.kernel_size[1])


def test_a_reshaped_transpose_is_named_for_a_linear_weight_too():
    result = check_layer(ReshapedLinear(4, 3).double(), np.random.default_rng(0).normal(size=(5, 4)))
    [hint] = result.hints
    assert (hint.kind, hint.tensor) == ("transpose", "weight")
    assert hint.text.en.startswith("the analytic gradient of weight is the numeric one transposed and reshaped: "
                                   "read as a (4, 3) matrix, it is the transpose of the right (3, 4) one")


def test_a_missing_one_over_k_is_named_for_a_rectangular_window():
    result = check_layer(AvgPoolWithoutK((2, 3)), np.random.default_rng(0).normal(size=(3, 2, 4, 6)))
    [hint] = result.hints
    assert hint.kind == "scale" and hint.text.en.startswith(
        "analytic = K x numeric = 6 x numeric for every entry of x, where K = kh*kw = 6 is the number of entries "
        "in one 2x3 window of AvgPoolWithoutK: a missing 1/K = 1/6")
    assert "K = kh*kw = 6: AvgPoolWithoutK의 2x3 윈도우 하나에 든 항목 수" in hint.text.ko


def test_only_a_pooling_window_is_a_factor_a_convolution_sums_with_weights():
    from tinynet.gradcheck.factors import WINDOW, hyperparameters
    assert hyperparameters(nn.AvgPool2d(3))[WINDOW] == (3, 3)
    assert hyperparameters(nn.MaxPool2d((2, 3)))[WINDOW] == (2, 3)
    assert WINDOW not in hyperparameters(nn.Conv2d(1, 2, 3)) and WINDOW not in hyperparameters(nn.AvgPool2d(1))
