"""Run a problem's check on what the student wrote, and say what is wrong.

A layer (or loss) is checked twice with ``tinynet.gradcheck``: alone, then
inside :class:`SharedLayer`, a model that calls the one layer object on
several inputs before one backward. The second catches the two backward
bugs that a single call hides, and names them by probing the layer:
a parameter gradient assigned (``p.grad = g``) instead of accumulated, and
a backward that reads what forward left on ``self`` instead of its cache.
A function (or class) is compared with its reference case by case; when
its results are those of one of the check's known mistakes on every case,
that mistake is named.
"""
import copy
from dataclasses import dataclass

import numpy as np

from ..gradcheck import check_layer
from ..nn.combine import Add
from ..nn.layer import Layer
from ..nn.module import Module
from ..random import manual_seed
from ..text import Text
from . import messages
from .messages import say
from .problem import LayerCheck, LossCheck


# What the grader itself recognises, besides gradcheck's hint kinds.
GRADER_FINDINGS = ("overwritten", "state_on_self", "differs")


@dataclass(frozen=True)
class Report:
    """The verdict on one problem: ``ok``, and otherwise the ``message`` for
    the student and the ``findings`` (gradcheck hint kinds, "overwritten",
    "state_on_self", "differs")."""
    ok: bool
    message: str = ""
    findings: tuple = ()
    results: tuple = ()         # the gradcheck results, alone then shared


class SharedLayer(Module):
    """y = layer(x0) + layer(x1) + ...: one layer object called on every input
    before one backward, as a model that reuses a layer calls it."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer
        self.add = Add()

    def forward(self, *inputs):
        return self.add(*[self.layer(x) for x in inputs])


class _LossAsLayer(Layer):
    """A loss (or penalty) with its target fixed, seen as a layer whose input
    is the loss's first argument and whose output is the loss, shape (1,)."""

    def __init__(self, loss, target):
        super().__init__()
        self.loss, self.target = loss, target

    def forward(self, x):
        value, cache = self.loss.forward(x, *self.target)
        return np.reshape(np.asarray(value, dtype=np.float64), (1,)), cache

    def backward(self, dout, cache):
        return self.loss.backward(float(dout[0]), cache)


def _as_layer(loss, target):
    # Named after the student's class, so that gradcheck's report names it.
    return type(type(loss).__name__, (_LossAsLayer,), {})(loss, target)


def run(check, subject, rng, file, lang):
    """The Report of ``check`` on ``subject`` (the student's class or function)."""
    if not isinstance(check, (LayerCheck, LossCheck)):
        return _compare_with_reference(check, subject, rng, file, lang)
    manual_seed(0)
    built = check.build(subject, rng)
    if isinstance(check, LossCheck):
        built = _as_layer(built, () if check.target is None else (check.target(rng),))
    layer = built.double() if isinstance(built, Module) else built
    values = {"file": file, "name": check.name, "calls": check.calls}
    alone = check_layer(layer, check.input(rng), tolerance=check.tolerance, lang=lang)
    if not alone.ok:
        return Report(False, say(messages.DOES_NOT_MATCH, lang, **values) + f"\n{alone}",
                      tuple(h.kind for h in alone.hints), (alone,))
    inputs = tuple(check.input(rng) for _ in range(check.calls))
    shared = check_layer(SharedLayer(layer), inputs, tolerance=check.tolerance, lang=lang)
    if shared.ok:
        return Report(True, results=(alone, shared))
    found = [say(messages.OVERWRITTEN, lang, param=name, **values) for name in _overwritten(layer, inputs[0])]
    findings = ["overwritten"] * len(found)
    if _reads_state_from_self(layer, inputs):
        found.append(say(messages.STATE_ON_SELF, lang, **values))
        findings.append("state_on_self")
    text = "\n".join(found) if found else say(messages.SHARED_FAILS, lang, **values)
    return Report(False, f"{text}\n{shared}", tuple(findings), (alone, shared))


def _parameters(layer):
    return list(layer.named_parameters()) if hasattr(layer, "named_parameters") else []


def _backward(layer, x, dout, grads=None, between=None):
    """dx and every parameter's .grad after one forward of ``x`` and its
    backward, the gradients starting from ``grads`` (name -> array, else
    None); with ``between``, the layer is called on it in between, as a
    model that reuses the layer does."""
    for name, p in _parameters(layer):
        p.grad = None if grads is None or name not in grads else grads[name].copy()
    manual_seed(0)
    _, cache = layer.forward(x.copy())
    if between is not None:
        manual_seed(1)
        layer.forward(between.copy())
    dx = layer.backward(dout.copy(), cache)
    return [dx] + [None if p.grad is None else np.array(p.grad) for _, p in _parameters(layer)]


def _upstream(layer, x):
    manual_seed(0)
    out, _ = layer.forward(x.copy())
    return np.random.default_rng([0, 7]).normal(size=np.shape(out))


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-10, atol=1e-12)


def _overwritten(layer, x):
    """The parameters whose backward replaced .grad instead of adding to it:
    started from some gradient, they end with this backward's share alone."""
    dout = _upstream(layer, x)
    fresh = _backward(layer, x, dout)[1:]
    found = []
    for i, (name, p) in enumerate(_parameters(layer)):
        if fresh[i] is not None:
            start = np.random.default_rng([0, 8, i]).normal(size=np.shape(p.data))
            after = _backward(layer, x, dout, grads={name: start})[1 + i]
            if _same(after, fresh[i]) and not _same(after, start + fresh[i]):
                found.append(name)
    return found


def _reads_state_from_self(layer, inputs):
    """Does the backward of a call change when the layer was called again before it?"""
    x, other = inputs[0], inputs[1]
    dout = _upstream(layer, x)
    alone, late = _backward(layer, x, dout), _backward(layer, x, dout, between=other)
    return not all(_same(a, b) for a, b in zip(alone, late))


def _compare_with_reference(check, subject, rng, file, lang):
    cases = list(check.runs(subject, rng))
    for number, args, got, expected in cases:
        for label, value in expected.items():
            mismatch = _mismatch(got.get(label), value, check.rtol, check.atol)
            if mismatch is not None:
                what = label if isinstance(label, Text) else Text(str(label), str(label))
                where, got_text, expected_text = mismatch
                text = say(messages.DIFFERS, lang, file=file, name=check.name, number=number, count=len(cases),
                           args=_describe(args), what=what, where=where, got=got_text, expected=expected_text)
                mistake = _known_mistake(check, cases)
                if mistake is None:
                    return Report(False, text, ("differs",))
                hint = say(messages.KNOWN_MISTAKE, lang, kind=mistake.kind, cause=mistake.cause)
                return Report(False, f"{text}\n{hint}", ("differs", mistake.kind))
    return Report(True)


def _known_mistake(check, cases):
    """The first of ``check.mistakes`` whose results equal the subject's on every case, or None."""
    for mistake in check.mistakes:
        if all(_agrees(got, check.run(mistake.reference, copy.deepcopy(args)), check)
               for _, args, got, _ in cases):
            return mistake
    return None


def _agrees(got, made, check):
    return all(_mismatch(got.get(label), value, check.rtol, check.atol) is None for label, value in made.items())


def _mismatch(got, expected, rtol, atol):
    """None if ``got`` equals ``expected`` (numbers within rtol/atol), else
    (where in it, got, expected) described."""
    nowhere = Text("", "")
    if got is None or expected is None:
        return None if got is expected else (nowhere, repr(got), repr(expected))
    try:
        a, b = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return None if got == expected else (nowhere, repr(got), repr(expected))
    if a.shape != b.shape:
        return nowhere, messages.SHAPE.format(shape=a.shape), messages.SHAPE.format(shape=b.shape)
    close = np.isclose(a, b, rtol=rtol, atol=atol)
    if close.all():
        return None
    if a.ndim == 0:
        return nowhere, f"{a.item():.10g}", f"{b.item():.10g}"
    index = np.unravel_index(np.argmax(np.where(close, -np.inf, np.abs(a - b))), a.shape)
    return messages.ENTRY.format(index=tuple(map(int, index))), f"{a[index]:.10g}", f"{b[index]:.10g}"


def _describe(args):
    parts = [f"array {np.shape(a)}" if isinstance(a, np.ndarray) else repr(a) for a in args]
    return ", ".join(parts)
