"""Name the bug from the pattern of a mismatch between analytic and numeric gradients.

Tried in this order, on the entries the finite differences can be trusted at:
    analytic = numeric for an all-ones dout       ->  "dout_ignored"
    analytic = c * numeric everywhere, c != 1     ->  "sign" (c = -1), "mean_not_sum" (c = 1/N on a
                                                      parameter), "scale" (c named by factors.py)
    analytic = numeric transposed, or transposed
      and reshaped into the tensor's shape        ->  "transpose"
    one side 0 where the other is not             ->  "zeros" (a missing branch or mask)
    analytic - numeric, per column of the input,
      constant or a + b x over the batch          ->  "batch_statistic" (a path through mu or var)
    anything else: the ratio varies               ->  "form" (the derivative's form is wrong)
"""
import numpy as np

from ..text import Text
from .factors import factors, matching
from .result import Hint

# Two entries "agree" when they differ by less than this fraction of the
# largest entry: a correct backward is ~1e-10 off, a classic bug order 1.
AGREE = 1e-6


def classify(name, a, n, stable, setting, is_parameter, values, ones):
    """A Hint for the pattern of analytic ``a`` vs numeric ``n`` (full arrays,
    judged where ``stable``), or None when they agree there. ``ones()`` gives
    the numeric gradient for an all-ones dout (None when dout is all ones)."""
    a_s, n_s = a[stable], n[stable]
    reference = max(float(np.abs(a_s).max(initial=0.0)), float(np.abs(n_s).max(initial=0.0)))
    close = AGREE * reference
    mismatch = np.abs(a_s - n_s) > close
    if reference == 0 or not mismatch.any():
        return None
    subject, whole = setting.subject, bool(stable.all())
    if ones is not None:
        n1 = ones()[stable]
        if np.all(np.abs(a_s - n1) <= AGREE * max(reference, float(np.abs(n1).max(initial=0.0)))):
            return Hint("dout_ignored", name, Text(
                f"the analytic gradient of {name} matches the finite difference taken with an upstream gradient "
                f"of all ones, not with the dout given: dout is ignored -- {subject}.backward computes the local "
                "derivative but never multiplies it by dout (chain rule: dx = dout * dy/dx)",
                f"{name}의 역전파 기울기가 주어진 dout이 아니라 모두 1인 업스트림 기울기로 구한 수치 미분과 "
                f"일치합니다. dout이 무시되었습니다. {subject}.backward가 국소 미분만 계산하고 dout을 곱하지 "
                "않았습니다(연쇄 법칙: dx = dout * dy/dx)"))
    norm_n = float(np.sum(n_s * n_s))
    if norm_n > 0:
        ratio = float(np.sum(a_s * n_s)) / norm_n
        if np.all(np.abs(a_s - ratio * n_s) <= close) and abs(ratio - 1) > AGREE:
            return _ratio_hint(name, ratio, setting, is_parameter, n_s.size)
    if whole and a.ndim == 2 and a.shape[0] == a.shape[1] and np.all(np.abs(a.T - n) <= close):
        advice = transpose_advice(name)
        return Hint("transpose", name, Text(
            f"the analytic gradient of {name} is the numeric one transposed: {advice.en}",
            f"{name}의 역전파 기울기가 수치 미분 기울기를 전치한 것입니다. {advice.ko}"))
    if whole and a.ndim >= 2 and np.all(np.abs(_reshaped_transpose(a) - n) <= close):
        return _reshaped_transpose_hint(name, a.shape)
    a_zero, n_zero = np.abs(a_s) <= close, np.abs(n_s) <= close
    if np.all(a_zero[mismatch] ^ n_zero[mismatch]):
        return _zeros_hint(name, a_zero & mismatch, n_zero & mismatch, a_s.size, subject)
    if whole and not is_parameter and setting.batch_size and setting.batch_size >= 3 and values is not None:
        hint = _batch_statistic_hint(name, a - n, values, close)
        if hint:
            return hint
    return _form_hint(name, a_s, n_s, close)


def transpose_advice(name):
    if name.rsplit(".", 1)[-1] == "weight":
        return Text("it must have the parameter's shape (out, in), e.g. dW = dout.T @ x rather than x.T @ dout",
                    "기울기는 매개변수와 같은 (out, in) 모양이어야 합니다(예: x.T @ dout이 아니라 dW = dout.T @ x)")
    return Text("compute it in the tensor's own layout (swap the factors of the product, or transpose)",
                "텐서 자신의 배치로 계산하세요(곱의 두 인수 순서를 바꾸거나 전치하세요)")


def _reshaped_transpose(a):
    """``a`` read as the (rest, first) matrix it was before a reshape into its
    shape (first, ...), transposed, and put back into that shape."""
    return a.reshape(-1, a.shape[0]).T.reshape(a.shape)


def _reshaped_transpose_hint(name, shape):
    first, rest = shape[0], int(np.prod(shape[1:]))
    return Hint("transpose", name, Text(
        f"the analytic gradient of {name} is the numeric one transposed and reshaped: read as a ({rest}, {first}) "
        f"matrix, it is the transpose of the right ({first}, {rest}) one. It was computed with its two axes in the "
        f"other order (e.g. X G^T where G X^T is meant) and then reshaped into {name}'s shape {shape}, which "
        f"NumPy allows without a word because the sizes agree. Compute it as a ({first}, {rest}) matrix, "
        f"{name}'s first axis first, then reshape",
        f"{name}의 역전파 기울기가 수치 미분 기울기를 전치한 뒤 모양만 바꾼 것입니다. ({rest}, {first}) 행렬로 읽으면 "
        f"올바른 ({first}, {rest}) 행렬의 전치입니다. 두 축의 순서를 바꾸어 계산한 뒤(예: G X^T 대신 X G^T) "
        f"{name}의 모양 {shape}으로 reshape했는데, 원소 수가 같아서 NumPy가 아무 경고 없이 받아들였습니다. "
        f"{name}의 첫 축이 앞에 오는 ({first}, {rest}) 행렬로 계산한 다음 reshape하세요"))


def _ratio_hint(name, ratio, setting, is_parameter, size):
    subject, n = setting.subject, setting.batch_size
    if abs(ratio + 1) <= AGREE:
        return Hint("sign", name, Text(
            f"analytic = -1 x numeric for every entry of {name}: the sign is flipped (e.g. a - b where b - a "
            "is meant, or 1 - y^2 written y^2 - 1)",
            f"{name}의 모든 항목에서 analytic(역전파) = -1 x numeric(수치 미분)입니다. 부호가 뒤집혔습니다"
            "(예: b - a를 a - b로, 1 - y^2을 y^2 - 1로 씀)"))
    if is_parameter and n and n > 1 and abs(ratio * n - 1) <= AGREE:
        attr = name.rsplit(".", 1)[-1]
        example = Text("dout.mean(axis=0) where dout.sum(axis=0) is meant", "dout.sum(axis=0) 대신 dout.mean(axis=0)")
        if attr != "bias":
            example = Text(f"a division by N = {n} that does not belong", f"있어서는 안 될 N = {n}으로 나누기")
        return Hint("mean_not_sum", name, Text(
            f"analytic = 1/{n} x numeric for {name}, and {n} is the batch size N: the gradient of a parameter "
            f"is a SUM over the batch (every row uses the same {attr} and adds its share), but "
            f"{subject}.backward took the mean (e.g. {example.en})",
            f"{name}에서 analytic(역전파) = 1/{n} x numeric(수치 미분)이고 배치 크기는 N = {n}입니다. 모든 행이 "
            f"같은 {attr}을(를) 쓰고 각자 몫을 더하므로 매개변수의 기울기는 배치에 대한 합(SUM)인데, "
            f"{subject}.backward는 평균을 냈습니다(예: {example.ko})"))
    number = f"{ratio:.6g}"
    found = matching(abs(ratio), factors(subject, setting.hyper, n, size, name))
    flipped = Text("the sign is flipped, and ", "부호가 뒤집혔고, ") if ratio < 0 else Text("", "")
    if not found:
        return Hint("scale", name, Text(
            f"analytic = {number} x numeric for every entry of {name}: {flipped.en}a constant factor is missing "
            f"or extra ({abs(ratio):.6g} is none of the factors gradcheck knows: 2, the batch size N, the number "
            f"of entries M, or the layer's own numbers such as a dropout p)",
            f"{name}의 모든 항목에서 analytic(역전파) = {number} x numeric(수치 미분)입니다. {flipped.ko}상수 "
            f"인수가 빠졌거나 더 들어갔습니다({abs(ratio):.6g}은(는) gradcheck가 아는 인수, 곧 2, 배치 크기 N, "
            "항목 수 M, 드롭아웃의 p 같은 계층 자신의 수 어느 것과도 같지 않습니다)"))
    first = found[0]
    text = _factor_text(name, ratio, number, first, flipped)
    other = next((f for f in found[1:] if f.given != first.given), None)
    if other is not None:
        also = _factor_text(name, ratio, number, other, flipped)
        text = Text(f"{text.en}. Or, read another way: {also.en}", f"{text.ko}. 달리 읽으면: {also.ko}")
    return Hint("scale", name, text)


def _factor_text(name, ratio, number, factor, flipped):
    expression = f"({factor.expression})" if factor.expression.startswith("1-") else factor.expression
    if ratio < 0:
        expression = f"-{expression}"
    equals = f" = {number} x numeric" if expression != number else ""
    where_en = f", where {factor.given.en}" if factor.given else ""
    where_ko = f"({factor.given.ko})" if factor.given else ""
    return Text(f"analytic = {expression} x numeric{equals} for every entry of {name}{where_en}: "
                f"{flipped.en}{factor.cause.en}",
                f"{name}의 모든 항목에서 analytic(역전파) = {expression} x numeric(수치 미분){equals}입니다"
                f"{where_ko}. {flipped.ko}{factor.cause.ko}")


def _zeros_hint(name, analytic_only_zero, numeric_only_zero, size, subject):
    k_a, k_n = int(analytic_only_zero.sum()), int(numeric_only_zero.sum())
    if k_n == 0:
        where = Text("everywhere", "모든 항목에서 0인데") if k_a == size else Text(
            f"at {k_a} of {size} entries where the numeric one is not",
            f"{size}개 항목 중 {k_a}개에서 0인데(그곳의 수치 미분 기울기는 0이 아님)")
        return Hint("zeros", name, Text(
            f"the analytic gradient of {name} is 0 {where.en}, elsewhere they agree: a missing branch or mask -- "
            f"{subject}.backward leaves out a path by which these entries change the output (e.g. a LeakyReLU's "
            "negative slope, or a term of the chain rule)",
            f"{name}의 역전파 기울기가 {where.ko}, 나머지 항목은 일치합니다. 분기나 마스크가 빠졌습니다. "
            f"{subject}.backward가 이 항목들이 출력을 바꾸는 경로 하나를 빠뜨렸습니다(예: LeakyReLU의 음수 쪽 "
            "기울기, 연쇄 법칙의 한 항)"))
    if k_a == 0:
        return Hint("zeros", name, Text(
            f"the analytic gradient of {name} is nonzero at {k_n} of {size} entries where the numeric one is 0, "
            "elsewhere they agree: a missing mask -- these entries do not change the output, so their gradient "
            "must be 0 (e.g. ReLU's dx = dout * (x > 0))",
            f"{name}의 {size}개 항목 중 {k_n}개에서 수치 미분 기울기는 0인데 역전파 기울기는 0이 아니고, 나머지 "
            "항목은 일치합니다. 마스크가 빠졌습니다. 이 항목들은 출력을 바꾸지 않으므로 기울기가 0이어야 합니다"
            "(예: ReLU의 dx = dout * (x > 0))"))
    return Hint("zeros", name, Text(
        f"analytic and numeric gradients of {name} are nonzero at different entries ({k_a} zero only in the "
        f"analytic, {k_n} only in the numeric), elsewhere they agree: a wrong mask or branch (e.g. x < 0 where "
        "x > 0 is meant)",
        f"{name}의 역전파 기울기와 수치 미분 기울기가 0이 아닌 항목의 위치가 다릅니다(역전파에서만 0인 항목 "
        f"{k_a}개, 수치 미분에서만 0인 항목 {k_n}개). 나머지 항목은 일치합니다. 마스크나 분기가 틀렸습니다"
        "(예: x > 0을 x < 0으로 씀)"))


def _batch_statistic_hint(name, difference, values, close):
    """The mismatch, per column, as a function of the column's values over the batch."""
    rows = difference.shape[0]
    d = difference.reshape(rows, -1)
    v = np.asarray(values, dtype=np.float64).reshape(rows, -1)
    vc, dc = v - v.mean(axis=0), d - d.mean(axis=0)
    spread = np.sum(vc * vc, axis=0)
    slope = np.divide(np.sum(vc * dc, axis=0), spread, out=np.zeros_like(spread), where=spread > 0)
    if np.any(np.abs(dc - slope * vc) > close):
        return None
    if np.all(np.abs(slope * vc) <= close):
        return Hint("batch_statistic", name, Text(
            f"analytic - numeric is the same in every row of {name} (in each column, all {rows} rows of the "
            "batch are off by one amount): a term shared by the whole batch is missing or wrong -- a path "
            "through a statistic of the batch, such as its mean mu (every row's d mu/dx is 1/N)",
            f"analytic - numeric 차이가 {name}의 모든 행에서 같습니다(열마다 배치의 {rows}개 행이 모두 같은 양만큼 "
            "어긋남). 배치 전체가 함께 쓰는 항이 빠졌거나 틀렸습니다. 평균 mu처럼 배치 통계량을 거쳐 가는 경로를 "
            "확인하세요(각 행에 대해 d mu/dx = 1/N)"))
    return Hint("batch_statistic", name, Text(
        f"analytic - numeric is, in each column of {name}, a straight-line function a + b x of the column's own "
        "values over the batch: a term through a statistic of the batch that depends on x -- such as the "
        "variance, d var/dx = 2 (x - mu)/N -- is missing or has a wrong factor (e.g. N-1 in one pass where the "
        "other uses N)",
        f"analytic - numeric 차이가 {name}의 각 열에서 배치에 걸친 그 열의 값 x에 대한 일차식 a + b x입니다. "
        "분산처럼 x에 따라 달라지는 배치 통계량을 거쳐 가는 항(d var/dx = 2 (x - mu)/N)이 빠졌거나 인수가 "
        "틀렸습니다(예: 한쪽은 N으로, 다른 쪽은 N-1로 나눔)"))


def _form_hint(name, a, n, close):
    measurable = np.abs(n) > close
    ratios = a[measurable] / n[measurable]
    if ratios.size >= 2:
        spread = Text(f"analytic / numeric is not one constant: it ranges from {ratios.min():.3g} to "
                      f"{ratios.max():.3g} over the entries of {name}",
                      f"analytic / numeric 비율이 일정하지 않고 {name}의 항목마다 {ratios.min():.3g}에서 "
                      f"{ratios.max():.3g}까지 달라집니다")
    else:
        spread = Text(f"analytic and numeric gradients of {name} differ", f"{name}의 역전파 기울기와 수치 미분 기울기가 다릅니다")
    return Hint("form", name, Text(
        spread.en + ", so no constant factor explains the mismatch: the form of the derivative is wrong -- a "
        "factor or term that depends on the input x or the output y is missing, extra, or computed from the wrong "
        "value (e.g. sigma applied again to y = sigma(x), or x used where y is meant)",
        spread.ko + ". 상수 인수 하나로는 설명되지 않으니 도함수의 꼴이 틀렸습니다. 입력 x나 출력 y에 따라 달라지는 인수나 "
        "항이 빠졌거나, 더 들어갔거나, 엉뚱한 값으로 계산되었습니다(예: 이미 y = sigma(x)인 y에 sigma를 한 번 "
        "더 적용, y를 써야 할 곳에 x를 씀)"))
