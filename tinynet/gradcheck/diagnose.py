"""Compare one tensor's analytic and numeric gradients: the error, the verdict, the warnings.

A gradient that cannot be compared at all -- no array, the wrong shape,
NaN -- gets its hint here ("none", "shape", "transpose", "nonfinite"); a
gradient that differs gets the hint patterns.py finds. Entries within the
step h of a kink get a "kink" warning: the central difference is not to be
trusted there, and the tensor passes when they are its only mismatches and
the backward gives, at each of them, the slope of one side of the kink.
"""
from dataclasses import dataclass, field

import numpy as np

from ..text import Text
from .numeric import error_scale, relative_error
from .patterns import AGREE, classify, transpose_advice
from .report import format_index
from .result import Entry, Hint, TensorCheck


@dataclass(frozen=True)
class Setting:
    """What every tensor of one check shares."""
    subject: str                # the class (or function) name the messages use
    tolerance: float
    h: float
    batch_size: int = None      # the first axis of the (first) input
    hyper: dict = field(default_factory=dict)   # the layer's float attributes and window (factors.py)
    floor: float = 0.0          # the smallest denominator of a relative error
    total: float = 0.0          # the norm of all analytic gradients together


class WrongCount:
    """Stands in for each input's gradient when a multi-input layer's backward
    did not return one gradient per input."""

    def __init__(self, returned, count):
        self.returned, self.count = returned, count


def compare(name, analytic, estimate, values, setting, is_parameter=False, ones=None):
    """The TensorCheck of tensor ``name``: ``analytic`` against the Estimate of
    the finite differences taken at ``values``. ``ones()``, when given, is the
    numeric gradient for an all-ones dout (computed only for a failing tensor)."""
    numeric, subject = estimate.grad, setting.subject
    if analytic is None:
        return _missing(name, numeric, setting, is_parameter)
    if isinstance(analytic, WrongCount):
        got = analytic.returned
        count = analytic.count
        what = Text(f"a {type(got).__name__} of {len(got)}", f"길이 {len(got)}인 {type(got).__name__}") \
            if isinstance(got, (tuple, list)) else Text(f"a single {type(got).__name__}", f"{type(got).__name__} 하나")
        return _failed(name, None, numeric, Hint("shape", name, Text(
            f"{subject} takes {count} inputs, so its backward must return a tuple of {count} gradients, one per "
            f"input in order; it returned {what.en}",
            f"{subject}은(는) 입력을 {count}개 받으므로 역전파는 입력마다 하나씩, 순서대로 {count}개의 기울기를 담은 "
            f"튜플을 돌려주어야 합니다. 그런데 {what.ko}을(를) 돌려주었습니다")))
    if not np.all(np.isfinite(numeric)):
        return _failed(name, analytic, numeric, Hint("nonfinite", name, Text(
            f"the finite differences of {name} are NaN or inf: {subject}.forward produced non-finite values when "
            f"{name} moved by h; check the forward pass first",
            f"{name}의 수치 미분 값이 NaN 또는 inf입니다. {name}을(를) h만큼 움직였을 때 {subject}.forward가 "
            "유한하지 않은 값을 냈습니다. 순전파부터 확인하세요")))
    try:
        if isinstance(analytic, (tuple, list)):
            raise TypeError("a sequence, not an array")
        a = np.asarray(analytic, dtype=np.float64)
    except (TypeError, ValueError):
        what = type(analytic).__name__ + (f" of {len(analytic)}" if isinstance(analytic, (tuple, list)) else "")
        return _failed(name, analytic, numeric, Hint("shape", name, Text(
            f"{subject}.backward gave a {what} as the gradient of {name}, not an array of {name}'s shape "
            f"{numeric.shape}",
            f"{subject}.backward가 {name}의 기울기로 {name}과(와) 같은 모양 {numeric.shape}의 배열이 아니라 "
            f"{what}을(를) 돌려주었습니다")))
    if a.shape != numeric.shape:
        return _failed(name, a, numeric, _shape_hint(name, a, numeric, subject))
    if not np.all(np.isfinite(a)):
        bad = ~np.isfinite(a)
        first = format_index(name, tuple(int(i) for i in np.argwhere(bad)[0]))
        return _failed(name, a, numeric, Hint("nonfinite", name, Text(
            f"{subject}'s gradient of {name} has {int(bad.sum())} NaN or inf entries, the first at {first}",
            f"{subject}이(가) 계산한 {name}의 기울기에 NaN 또는 inf 항목이 {int(bad.sum())}개 있습니다(처음은 {first})")))
    return _judge(name, a, estimate, values, setting, is_parameter, ones)


def _judge(name, a, estimate, values, setting, is_parameter, ones):
    numeric, tolerance = estimate.grad, setting.tolerance
    error = relative_error(a, numeric, setting.floor)
    # Entries whose central difference changed with the step size: a step
    # crossed a kink there. Judged against the whole gradient's norm too: a
    # tensor whose gradient is tiny by structure only ever shows rounding noise.
    bound = tolerance * max(error_scale(a, numeric, setting.floor), setting.total)
    near_kink = estimate.instability > bound
    stable = ~near_kink
    stable_error, kink_pass, unexplained = error, False, 0
    if near_kink.any():
        stable_error = float(np.linalg.norm((a - numeric)[stable]) / error_scale(a, numeric, setting.floor))
        # At a kink the derivative is the slope of one side (either one exactly at it).
        with np.errstate(invalid="ignore"):
            one_sided = (np.abs(a - estimate.left) <= bound) | (np.abs(a - estimate.right) <= bound)
        unexplained = int(np.sum(near_kink & ~one_sided))
        kink_pass = bool(stable.any()) and stable_error <= tolerance and unexplained == 0
    ok = error <= tolerance or kink_pass
    hints, warnings, note = (), (), None
    if not ok and stable_error > tolerance:
        hint = classify(name, a, numeric, stable, setting, is_parameter, values, ones)
        hints = (hint,) if hint else ()
    if near_kink.any():
        if error > tolerance and near_kink.all():
            note = Text("every entry near a kink", "모든 항목이 꺾인 점 근처")
        elif error > tolerance and stable_error <= tolerance:
            note = Text(f"{stable_error:.1e} without the entries near a kink",
                        f"꺾인 점 근처 항목을 빼면 {stable_error:.1e}")
        warnings = (_kink_warning(name, values, near_kink, setting.h, error <= tolerance, kink_pass,
                                  stable_error, unexplained, tolerance),)
    worst = _worst_entries(a, numeric, near_kink) if not ok else ()
    off_kinks = stable_error if near_kink.any() and stable.any() else None
    return TensorCheck(name, error, ok, a, numeric, worst, hints, warnings, off_kinks, note)


def _worst_entries(analytic, numeric, near_kink, count=3):
    """The ``count`` entries where analytic and numeric differ most."""
    difference = np.abs(analytic - numeric).reshape(-1)
    order = np.argsort(-difference, kind="stable")[:count]
    return tuple(Entry(tuple(int(i) for i in np.unravel_index(k, numeric.shape)),
                       float(analytic.reshape(-1)[k]), float(numeric.reshape(-1)[k]),
                       bool(near_kink.reshape(-1)[k]))
                 for k in order if difference[k] > 0)


def _shape_hint(name, a, numeric, subject):
    if a.ndim == 2 and a.shape == numeric.shape[::-1]:
        matches = np.allclose(a.T, numeric, rtol=AGREE, atol=AGREE * float(np.abs(numeric).max(initial=0.0)))
        values = Text(" (transposed back, it matches the numeric gradient)",
                      "(다시 전치하면 수치 미분 기울기와 일치합니다)") if matches else Text("", "")
        advice = transpose_advice(name)
        return Hint("transpose", name, Text(
            f"{subject}'s gradient of {name} has shape {a.shape}, the transpose of {name}'s shape "
            f"{numeric.shape}{values.en}: {advice.en}",
            f"{subject}이(가) 계산한 {name}의 기울기 모양 {a.shape}은(는) {name}의 모양 {numeric.shape}을(를) 전치한 "
            f"것입니다{values.ko}. {advice.ko}"))
    advice = Text("", "")
    if a.ndim == numeric.ndim + 1 and a.shape[1:] == numeric.shape:
        advice = Text(f": a batch of {a.shape[0]} gradients, not yet summed over the batch (sum over axis 0)",
                      f". 배치의 기울기 {a.shape[0]}개를 아직 배치에 대해 더하지 않았습니다(axis 0으로 합하세요)")
    elif a.size == numeric.size:
        advice = Text(f": the same number of entries, in the wrong layout (reshape to {numeric.shape})",
                      f". 항목 수는 같지만 배치가 틀렸습니다({numeric.shape}(으)로 reshape하세요)")
    return Hint("shape", name, Text(
        f"{subject}'s gradient of {name} has shape {a.shape}, but {name} has shape {numeric.shape}{advice.en}",
        f"{subject}이(가) 계산한 {name}의 기울기 모양은 {a.shape}인데 {name}의 모양은 {numeric.shape}입니다{advice.ko}"))


def _missing(name, numeric, setting, is_parameter):
    subject, attr = setting.subject, name.rsplit(".", 1)[-1]
    if is_parameter:
        error = relative_error(np.zeros_like(numeric), numeric, setting.floor)
        if error <= setting.tolerance:      # an unused parameter: no gradient is the right answer
            return TensorCheck(name, error, True, None, numeric)
        text = Text(f"{subject}.backward never set the gradient of parameter {name!r} (its .grad is still None), "
                    f"but the output depends on it: add it with self.{attr}.accumulate_grad(d{attr}), an array "
                    f"of shape {numeric.shape}",
                    f"{subject}.backward가 매개변수 {name!r}의 기울기를 설정하지 않았습니다(.grad가 아직 None). "
                    f"그런데 출력은 이 매개변수에 따라 달라집니다. 모양 {numeric.shape}의 배열 d{attr}을(를) "
                    f"self.{attr}.accumulate_grad(d{attr})로 더하세요")
    else:
        text = Text(f"{subject}.backward returned None instead of the gradient with respect to its input {name}: "
                    f"it must return an array of {name}'s shape {numeric.shape} (did it forget `return dx`?)",
                    f"{subject}.backward가 입력 {name}에 대한 기울기 대신 None을 돌려주었습니다. {name}과(와) "
                    f"같은 모양 {numeric.shape}의 배열을 돌려주어야 합니다(`return dx`를 빠뜨리지 않았나요?)")
    return _failed(name, None, numeric, Hint("none", name, text))


def _failed(name, analytic, numeric, hint):
    return TensorCheck(name, float("inf"), False, analytic, numeric, (), (hint,))


def _kink_warning(name, values, near_kink, h, within, kink_pass, stable_error, unexplained, tolerance):
    count, size = int(near_kink.sum()), near_kink.size
    index = tuple(int(i) for i in np.argwhere(near_kink)[0])
    first = format_index(name, index) + (f" = {float(values[index]):.3g}" if values is not None else "")
    text = Text(f"{count} of {size} entries of {name} (e.g. {first}) are within the finite-difference step "
                f"h = {h:g} of a kink: moving them by h carries a value across a point where a slope jumps (such "
                "as a ReLU input crossing 0), so the central difference there changes with the step size and "
                "cannot be trusted.",
                f"{name}의 {size}개 항목 중 {count}개(예: {first})가 꺾인 점(kink)에서 유한 차분 간격 h = {h:g} "
                "안에 있습니다. h만큼 움직이면 기울기가 갑자기 바뀌는 점(예: ReLU 입력의 0)을 넘어가므로, 그곳의 "
                "중앙 차분은 간격에 따라 달라져 믿을 수 없습니다.")
    if within:
        return Hint("kink", name, text)
    if near_kink.all():
        more = Text(f" That is every entry, so {name} cannot be checked at this point.",
                    f" 모든 항목이 그러하므로 이 점에서는 {name}을(를) 검사할 수 없습니다.")
    elif kink_pass:
        more = Text(" At each of them the backward gives the slope of one side of the kink, as the finite "
                    "differences taken on that side measure it, and every other entry agrees (relative error "
                    f"{stable_error:.1e} without them): the backward is right there, and {name} passes.",
                    " 그 항목마다 역전파는 꺾인 점 한쪽의 기울기, 곧 그쪽에서만 잰 유한 차분과 같은 값을 내고, "
                    f"나머지 항목은 모두 일치합니다(이 항목들을 빼면 상대 오차 {stable_error:.1e}). 역전파는 그곳에서도 "
                    f"맞으며 {name}은(는) 통과입니다.")
    elif stable_error <= tolerance:
        more = Text(f" Every other entry agrees (relative error {stable_error:.1e} without them), but at "
                    f"{unexplained} of these entries the backward matches the slope on neither side of the kink: "
                    "the backward is wrong there (or a second kink lies within h on the other side: try a "
                    "smaller h).",
                    f" 나머지 항목은 모두 일치하지만(이 항목들을 빼면 상대 오차 {stable_error:.1e}), 그중 "
                    f"{unexplained}개 항목에서 역전파 값이 꺾인 점 어느 쪽의 기울기와도 맞지 않습니다. 역전파가 "
                    "그곳에서 틀렸습니다(또는 반대쪽 h 안에 꺾인 점이 하나 더 있습니다. 더 작은 h를 써 보세요).")
    else:
        more = Text(" The other entries disagree too: see the hint and the worst entries.",
                    " 다른 항목들도 일치하지 않습니다. 힌트와 차이가 가장 큰 항목을 보세요.")
    advice = Text(" Keep inputs a few h away from kinks (tinynet.testing.away_from_kinks) or pass a smaller h.",
                  " 입력을 꺾인 점에서 h의 몇 배 이상 떨어뜨리거나(tinynet.testing.away_from_kinks) 더 작은 h를 "
                  "쓰세요.")
    if kink_pass:
        advice = Text("", "")
    return Hint("kink", name, Text(text.en + more.en + advice.en, text.ko + more.ko + advice.ko))
