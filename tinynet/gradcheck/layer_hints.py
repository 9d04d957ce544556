"""Bugs seen across tensors or passes: dout or an input written in place, a
need_dx=False path that loses a gradient, two gradients swapped."""
import dataclasses

import numpy as np

from ..text import Text
from .patterns import AGREE
from .result import Hint
from .subject import dout_modified, run_backward, run_forward


def modified_hints(subject, upstream, dout, names, inputs, given):
    """Hints for a backward that wrote into dout, or a layer that wrote into its inputs."""
    hints = []
    if isinstance(upstream, np.ndarray) and not np.array_equal(dout, upstream):
        changed = int(np.sum(dout != upstream))
        hints.append(Hint("dout_modified", "dout", dout_modified(subject, changed, upstream.size)))
    for name, original, seen in zip(names, inputs, given):
        if not np.array_equal(original, seen, equal_nan=True):
            hints.append(Hint("input_modified", name, Text(
                f"{subject} modified its input {name} in place (e.g. x[x < 0] = 0 in forward): the caller's array "
                "changes under it. Compute a new array instead (np.maximum(x, 0))",
                f"{subject}이(가) 입력 {name}을(를) 제자리에서 바꾸었습니다(예: 순전파의 x[x < 0] = 0). 호출한 쪽의 "
                "배열이 모르는 사이에 바뀝니다. 새 배열을 만드세요(np.maximum(x, 0))")))
    return hints


def need_dx_hints(layer, subject, inputs, params, analytic, upstream, seed, lang):
    """The input layer of a model runs backward(dout, cache, need_dx=False):
    its parameter gradients must be exactly those of need_dx=True."""
    kept = [p.grad for _, p in params]
    for _, p in params:
        p.grad = None
    _, cache = run_forward(layer, [v.copy() for v in inputs], seed, lang=lang)
    run_backward(layer, upstream.copy() if isinstance(upstream, np.ndarray) else upstream, cache, need_dx=False)
    hints = []
    for (name, p), grad in zip(params, kept):
        expected, got = analytic[name], p.grad
        same = (got is None and expected is None) or (
            got is not None and expected is not None and np.shape(got) == np.shape(expected)
            and np.allclose(got, expected, rtol=1e-12, atol=0))
        if not same:
            hints.append(Hint("need_dx", name, Text(
                f"{subject}.backward(dout, cache, need_dx=False) -- how a model's first layer is called -- gives "
                f"a different gradient for {name} than need_dx=True: skip only the computation of dx, never a "
                "parameter's gradient",
                f"{subject}.backward(dout, cache, need_dx=False)(모델의 첫 계층을 부르는 방식)가 need_dx=True일 "
                f"때와 다른 {name} 기울기를 냅니다. dx 계산만 건너뛰고 매개변수의 기울기는 절대 건너뛰지 마세요")))
        p.grad = grad
    return hints


def with_swaps(details):
    """``details`` where two failing tensors whose analytic gradients are each
    other's numeric ones carry a "swapped" hint instead of their own."""
    details = dict(details)
    failing = [c for c in details.values() if not c.ok and isinstance(c.analytic, np.ndarray)
               and c.analytic.shape == np.shape(c.numeric)]
    for i, one in enumerate(failing):
        for other in failing[i + 1:]:
            if one.analytic.shape == other.analytic.shape and _same(one.analytic, other.numeric) \
                    and _same(other.analytic, one.numeric):
                for this, that in ((one, other), (other, one)):
                    hint = _swapped(this.name, that.name)
                    details[this.name] = dataclasses.replace(details[this.name], hints=(hint,))
    return details


def _same(a, b):
    reference = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    return reference > 0 and bool(np.all(np.abs(a - b) <= AGREE * reference))


def _swapped(name, other):
    return Hint("swapped", name, Text(
        f"the analytic gradient of {name} is the numeric gradient of {other}, and the other way round: the "
        f"gradients of {name} and {other} are swapped (each is computed or stored in the other's place, e.g. "
        "dgamma = sum(dout) and dbeta = sum(dout * xhat))",
        f"{name}의 역전파 기울기가 {other}의 수치 미분 기울기와 같고, 그 반대도 마찬가지입니다. {name}과(와) "
        f"{other}의 기울기가 서로 뒤바뀌었습니다(각각 상대의 자리에서 계산되거나 저장됨. 예: dgamma = sum(dout), "
        "dbeta = sum(dout * xhat))"))
