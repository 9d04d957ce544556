"""The constant factors a backward can be off by, and what each one means.

When analytic = c x numeric for every entry, the constant c says which
factor the backward lost or added -- if c is an expression of the numbers
the layer is built from: its own float attributes (Dropout's p, BatchNorm's
eps, ...), the number K = kh*kw of entries in one window of a pooling layer
(a ``kernel_size`` and no parameters), the batch size N (the first axis of
the input), the number M of entries of the tensor, or 2 (d(x^2)/dx = 2x).
A factor from the layer's p, the probability of dropping (Dropout,
DropConnect), is named in the words of inverted dropout: the kept units are
scaled by 1/(1-p).
"""
import numbers
from typing import NamedTuple

import numpy as np

from ..text import Text

# A ratio "is" a factor when they agree to this relative difference: a
# correct backward agrees with the finite differences to about 1e-10.
MATCH = 1e-6

# The key of hyperparameters() under which a layer's (kh, kw) is kept: not a
# name an attribute can have, so it never shadows one.
WINDOW = "kernel_size (kh, kw)"


class Factor(NamedTuple):
    value: float
    expression: str     # as the hint writes it: "1-p", "N/(N-1)", "2"
    given: Text         # what its symbols stand for ("p = 0.4, ..."), or None
    cause: Text         # what a ratio of this value says about the backward


def hyperparameters(obj):
    """``obj``'s own float attributes (not ints: those are sizes), by name;
    and, under the key ``WINDOW``, the window (kh, kw) of a pooling layer:
    ``obj.kernel_size`` a pair of ints holding more than one entry, and no
    parameters (a convolution sums its windows with weights, it averages none)."""
    found = {}
    for name, value in getattr(obj, "__dict__", {}).items():
        if name.startswith("_") or isinstance(value, (bool, np.bool_, numbers.Integral)):
            continue
        if isinstance(value, numbers.Real) and np.isfinite(value) and value not in (0.0, 1.0):
            found[name] = float(value)
    kernel = getattr(obj, "kernel_size", None)
    weighted = hasattr(obj, "parameters") and any(True for _ in obj.parameters())
    if isinstance(kernel, tuple) and len(kernel) == 2 and all(isinstance(k, numbers.Integral) for k in kernel):
        if kernel[0] * kernel[1] > 1 and not weighted:
            found[WINDOW] = kernel
    return found


def factors(subject, hyper, batch_size, size, name):
    """The candidate factors of a tensor ``name`` with ``size`` entries, most specific first."""
    found = []
    for attr, v in hyper.items():
        if attr == WINDOW:
            found.extend(_window(subject, *v))
            continue
        if v <= 0:
            continue            # a negative number would turn a sign flip into a factor
        found.extend(_drop_probability(subject, v) if attr == "p" and 0 < v < 1 else _attribute(subject, attr, v))
    n = batch_size
    if n and n > 1:
        found += _counts("N", n, "the N rows of the batch", "배치의 N개 행",
                         Text(f"N = {n} is the batch size", f"배치 크기 N = {n}"))
    if size > 1 and size != n:
        found += _counts("M", size, "all M entries", "M개 항목 전체",
                         Text(f"M = {size} is the number of entries of {name}", f"{name}의 항목 수 M = {size}"))
    found += [Factor(2.0, "2", None, Text("an extra factor 2", "불필요한 인수 2가 곱해졌습니다")),
              Factor(0.5, "1/2", None, Text("a missing factor 2 (e.g. d(x^2)/dx = 2x)",
                                            "인수 2가 빠졌습니다(예: d(x^2)/dx = 2x)"))]
    return found


def _counts(symbol, count, what_en, what_ko, given):
    """The factors of a forward that averages over ``count`` values."""
    s, c = symbol, count
    found = [
        Factor(c, s, given, Text(
            f"a missing 1/{s} = 1/{c} (the forward averages over {what_en}, so the gradient carries a 1/{s} too)",
            f"1/{s} = 1/{c}이 빠졌습니다(순전파가 {what_ko}을 평균하므로 기울기에도 1/{s}이 붙어야 합니다)")),
        Factor(1 / c, f"1/{s}", given, Text(f"an extra 1/{s} = 1/{c} (divided by {s} once too often)",
                                            f"1/{s} = 1/{c}이 한 번 더 들어갔습니다({s}으로 한 번 더 나눔)"))]
    if c > 2:       # for c = 2, c/(c-1) = 2 and (c-1)/c = 1/2 say less than the factor 2
        found += [
            Factor(c / (c - 1), f"{s}/({s}-1)", given, Text(
                f"the backward divides by {s}-1 where the forward divides by {s} (e.g. the variance: the "
                f"forward's is the biased (1/{s}) sum (x - mu)^2, not the unbiased 1/({s}-1) one)",
                f"순전파는 {s}으로 나누는데 역전파는 {s}-1로 나누었습니다(예: 분산. 순전파의 분산은 "
                f"1/({s}-1)이 아니라 1/{s}로 나눈 편향 분산 (1/{s}) sum (x - mu)^2입니다)")),
            Factor((c - 1) / c, f"({s}-1)/{s}", given, Text(
                f"the backward divides by {s} where the forward divides by {s}-1 (e.g. an unbiased variance "
                f"1/({s}-1) sum (x - mu)^2 in the forward)",
                f"순전파는 {s}-1로 나누는데 역전파는 {s}으로 나누었습니다(예: 순전파의 불편 분산 "
                f"1/({s}-1) sum (x - mu)^2)"))]
    return found


def _window(subject, kh, kw):
    """The factors of a forward that averages each kh x kw window (AvgPool2d)."""
    k = kh * kw
    given = Text(f"K = kh*kw = {k} is the number of entries in one {kh}x{kw} window of {subject}",
                 f"K = kh*kw = {k}: {subject}의 {kh}x{kw} 윈도우 하나에 든 항목 수")
    return [
        Factor(k, "K", given, Text(
            f"a missing 1/K = 1/{k} (a mean over a window of K entries gives each entry the slope 1/K, so every "
            "share of dout a window hands back carries 1/K)",
            f"1/K = 1/{k}이 빠졌습니다(윈도우의 K개 항목을 평균하면 각 항목의 기울기는 1/K이므로, 윈도우가 "
            "돌려주는 dout의 몫마다 1/K이 붙어야 합니다)")),
        Factor(1 / k, "1/K", given, Text(
            f"an extra 1/K = 1/{k} (divided by the window's K entries where the forward does not average, or "
            "twice where it does once)",
            f"1/K = 1/{k}이 더 들어갔습니다(순전파가 평균하지 않는데 윈도우의 항목 수 K로 나누었거나, 한 번 "
            "나눌 것을 두 번 나눔)"))]


def matching(magnitude, candidates):
    """The candidates whose value is ``magnitude`` (a positive ratio)."""
    return [f for f in candidates if abs(magnitude - f.value) <= MATCH * f.value]


def _drop_probability(subject, p):
    given = Text(f"p = {p:g} is {subject}'s probability of dropping", f"{subject}이(가) 값을 버릴 확률 p = {p:g}")
    return [
        Factor(1 - p, "1-p", given, Text("the backward is missing the 1/(1-p) scaling of the kept units",
                                         "역전파에서 살아남은 유닛의 1/(1-p) 배율이 빠졌습니다")),
        Factor(1 / (1 - p), "1/(1-p)", given, Text(
            "the backward applies the 1/(1-p) scaling of the kept units once too often (the mask may already "
            "hold it)",
            "역전파가 살아남은 유닛의 1/(1-p) 배율을 한 번 더 곱했습니다(마스크에 이미 들어 있을 수 있습니다)")),
        Factor((1 - p) / p, "(1-p)/p", given, Text(
            "the backward scales the kept units by 1/p where the forward uses 1/(1-p): p is the probability "
            "of dropping, not of keeping",
            "순전파는 살아남은 유닛에 1/(1-p)를 곱하는데 역전파는 1/p를 곱했습니다. p는 남길 확률이 아니라 "
            "버릴 확률입니다")),
        Factor(p / (1 - p), "p/(1-p)", given, Text(
            "the forward scales the kept units by 1/p and the backward by 1/(1-p): p is the probability of "
            "dropping, so both must use 1/(1-p)",
            "순전파는 살아남은 유닛에 1/p를, 역전파는 1/(1-p)를 곱했습니다. p는 버릴 확률이므로 둘 다 "
            "1/(1-p)를 써야 합니다")),
        Factor(p, "p", given, Text("an extra factor p", "불필요한 인수 p가 곱해졌습니다")),
        Factor(1 / p, "1/p", given, Text("an extra factor 1/p", "불필요한 인수 1/p가 곱해졌습니다"))]


def _attribute(subject, attr, v):
    given = Text(f"{attr} = {v:g} is {subject}'s {attr}", f"{subject}의 {attr} = {v:g}")
    found = [Factor(abs(v), attr, given, Text(f"an extra factor {attr}", f"불필요한 인수 {attr}이(가) 곱해졌습니다")),
             Factor(1 / abs(v), f"1/{attr}", given, Text(f"a missing factor {attr}", f"인수 {attr}이(가) 빠졌습니다"))]
    if 0 < v < 1:
        found += [Factor(1 - v, f"1-{attr}", given, Text(f"a missing factor 1/(1-{attr})",
                                                          f"인수 1/(1-{attr})가 빠졌습니다")),
                  Factor(1 / (1 - v), f"1/(1-{attr})", given, Text(f"an extra factor 1/(1-{attr})",
                                                                    f"불필요한 인수 1/(1-{attr})가 곱해졌습니다"))]
    return found
