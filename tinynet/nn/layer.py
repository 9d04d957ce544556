"""``Layer``: the base class of every layer, and the layer contract.

A layer holds the math, in two methods::

    forward(x)            -> (out, cache)   # cache: whatever backward needs
    backward(dout, cache) -> dx             # dout = dL/d(out), dx = dL/dx

``backward`` adds parameter gradients with ``Parameter.accumulate_grad`` and
never modifies ``dout``. A layer with several inputs (``nn.Add``,
``nn.Concat``) has ``forward(a, b, ...) -> (out, cache)`` and a backward that
returns a tuple ``(da, db, ...)``. One optional argument: a backward that
declares ``need_dx=True`` (``Linear``) is passed ``need_dx=False`` when
nobody needs its dx (the first layer with parameters, whose input is the
data), so it can skip that product. A backward without it is never passed it.

Every layer can be used on its own, in either form::

    out, cache = layer.forward(x); dx = layer.backward(dout, cache)
    y = layer(x);                  dx = layer.backward(dy)   # cache of that call

and inside a model, where ``model.backward`` calls ``layer.backward(dout,
cache)`` for every call the tape recorded (``tinynet/nn/tape.py``).
"""
import functools
import inspect

import numpy as np

from .messages import LAYER_CACHE, refuse_result, require_arrays
from .module import Module
from .tape import recording

LAST_CALL = object()        # backward's default cache: the one the last standalone call left


def cache_of_last_call(backward):
    """Wrap a backward(dout, cache[, need_dx]) so that ``cache`` may be left out.

    Left out, it is the cache of the owner's last standalone call
    (``owner.backward_last_call``); given, the call goes straight through.
    """
    if "need_dx" in inspect.signature(backward).parameters:
        def backward_or_last_call(self, dout=None, cache=LAST_CALL, need_dx=True):
            if cache is LAST_CALL:
                return self.backward_last_call(backward, dout, need_dx=need_dx)
            return backward(self, dout, cache, need_dx=need_dx)
    else:
        def backward_or_last_call(self, dout=None, cache=LAST_CALL):
            if cache is LAST_CALL:
                return self.backward_last_call(backward, dout)
            return backward(self, dout, cache)
    return functools.wraps(backward)(backward_or_last_call)


class Layer(Module):
    """A module with a hand-written forward and backward: see the contract above.

    Calling ``layer(x)`` returns ``out``; inside a model's forward it also
    puts the call on the model's tape, and on its own it keeps the cache for
    ``layer.backward(dout)``.
    """

    _owner = None               # the model this layer was last found registered in
    _accepts_need_dx = False    # does backward declare need_dx? (set per class below)

    def __init_subclass__(cls, **kwargs):
        # Once per class: note whether backward takes need_dx, and let its cache be left out.
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None:
            cls._accepts_need_dx = "need_dx" in inspect.signature(backward).parameters
            cls.backward = cache_of_last_call(backward)

    def __call__(self, *inputs):
        tape = recording.tape
        if tape is None:
            return self._call_alone(inputs)
        calls_before = len(tape.calls)
        result = self.forward(*inputs)
        if type(result) is not tuple or len(result) != 2:
            refuse_result(self, result)
        out, cache = result
        if len(tape.calls) != calls_before:
            tape.refuse_composite(self)
        tape.record(self, inputs, out, cache)
        return out

    def _call_alone(self, inputs):
        """A call outside any model: keep the cache for ``backward(dout)``."""
        require_arrays(self, inputs)
        if not recording.grad_enabled:
            return self._forward_pair(inputs)[0]
        self.require_init()
        self._last_call.fail()                  # until forward returns
        out, cache = self._forward_pair(inputs)
        self._last_call.put(cache)
        return out

    def _forward_pair(self, inputs):
        result = self.forward(*inputs)
        if type(result) is not tuple or len(result) != 2:
            refuse_result(self, result)
        return result

    def backward_last_call(self, backward, dout, **need_dx):
        """``backward(dout)`` with the cache of the last standalone call, once."""
        if dout is None:
            raise TypeError(f"{type(self).__name__}.backward(dout) needs the upstream gradient dout")
        return backward(self, dout, self._last_call.take(self, LAYER_CACHE), **need_dx)

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x) -> (out, cache)")

    def backward(self, dout, cache=None, need_dx=True):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout, cache)")

    def _check_features(self, x, num_features, dtype):
        """The input must be a (N, num_features) array of the parameters' dtype."""
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != num_features:
            raise ValueError(f"{type(self).__name__} expects an input array of shape "
                             f"(N, {num_features}), got {getattr(x, 'shape', type(x).__name__)}")
        self._check_dtype(x, dtype)

    def _check_dtype(self, x, dtype):
        """The input must have the parameters' dtype (it is never silently converted)."""
        if x.dtype != dtype:
            raise TypeError(f"{type(self).__name__} has {dtype} parameters but got a {x.dtype} input; "
                            f"convert the input (x.astype(np.{dtype})) or the model "
                            "(model.float() / model.double())")
