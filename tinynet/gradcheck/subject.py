"""What a check runs: one forward and one backward of a layer or of a container.

A Layer (or any object with the same pair of methods) is run as
``out, cache = layer.forward(x)`` and ``dx = layer.backward(dout, cache)``;
a container Module (Sequential, a model) as ``out = model(x)`` and
``dx = model.backward(dout, input_grad=True)``. gradcheck and
tinynet.testing both run their subjects through these functions.
"""
import numpy as np

from ..nn import Layer, Module, no_grad
from ..random import manual_seed
from ..text import Text


def is_container(module):
    """True for a container Module: it runs its layers itself and has no (out, cache) pair."""
    return isinstance(module, Module) and not isinstance(module, Layer)


def random_upstream(out, seed):
    """A random upstream gradient G of ``out``'s shape (a float for a scalar out).

    Never all ones: that hides bugs (BatchNorm's dx is exactly zero for it,
    and a backward that ignores dout looks right). Drawn from a stream of
    its own, so G never coincides with data drawn from ``seed``.
    """
    rng = np.random.default_rng([seed, 2024])
    return float(rng.normal()) if np.ndim(out) == 0 else rng.normal(size=np.shape(out))


def run_forward(layer, inputs, seed, record=True, lang=None):
    """``(out, cache)`` of one forward pass, the global generator reset to ``seed`` first
    (random layers then draw the same masks every time). A container keeps
    its own record of the pass (cache None); ``record=False`` runs it under no_grad.
    A forward that does not return a pair is refused in ``lang``."""
    manual_seed(seed)
    if is_container(layer):
        if record:
            return layer(*inputs), None
        with no_grad():
            return layer(*inputs), None
    result = layer.forward(*inputs)
    if not isinstance(result, tuple) or len(result) != 2:
        got = Text(f"a tuple of {len(result)}", f"길이 {len(result)}인 튜플") if isinstance(result, tuple) \
            else Text(f"a single {type(result).__name__}", f"{type(result).__name__} 하나")
        name = type(layer).__name__
        raise TypeError(Text(
            f"{name}.forward must return (out, cache) -- the output and what backward needs -- "
            f"but returned {got.en}",
            f"{name}.forward는 (out, cache), 곧 출력과 역전파에 필요한 값을 함께 돌려주어야 하는데 "
            f"{got.ko}을(를) 돌려주었습니다").pick(lang))
    return result


def run_backward(layer, dout, cache, **options):
    """The input gradient(s) of the pass ``run_forward`` made (its ``cache``)."""
    if is_container(layer):
        return layer.backward(dout, input_grad=True)
    return layer.backward(dout, cache, **options)


def dout_modified(name, changed=None, size=None):
    """The one message for a backward that wrote into its upstream gradient."""
    count = Text(f" ({changed} of {size} entries changed)", f"({size}개 항목 중 {changed}개가 바뀜)") \
        if changed is not None else Text("", "")
    return Text(
        f"{name}.backward modified dout (the upstream gradient) in place{count.en}: the caller's gradient is "
        "then wrong. Compute a new array instead (dx = dout * mask, not dout *= mask or dout[x <= 0] = 0)",
        f"{name}.backward가 업스트림 기울기 dout을 제자리에서 바꾸었습니다{count.ko}. 그러면 호출한 쪽이 가진 "
        "기울기가 틀어집니다. 새 배열을 만드세요(dout *= mask나 dout[x <= 0] = 0 대신 dx = dout * mask)")
