"""Modules, layers, losses, and the tape that runs ``model.backward``.

The layer contract (the one thing to know)
------------------------------------------
A **layer** (``Layer`` subclass: ``Linear``, ``ReLU``, your own ...) holds
the math, in two methods::

    forward(x)            -> (out, cache)   # cache: whatever backward needs
    backward(dout, cache) -> dx             # dout = dL/d(out), dx = dL/dx

``backward`` adds parameter gradients with ``Parameter.accumulate_grad`` and
never modifies ``dout``. A layer with several inputs (``nn.Add``,
``nn.Concat``) has ``forward(a, b, ...) -> (out, cache)`` and a backward that
returns a tuple ``(da, db, ...)``. One optional hook: a backward that
declares a keyword ``need_dx=True`` (``Linear``) is passed ``need_dx=False``
when nobody needs its dx (the first trainable layer of a model when
``input_grad=False``), so it can skip that product. A backward without the
keyword is never passed it.

Every layer can be used on its own, in either form::

    out, cache = layer.forward(x); dx = layer.backward(dout, cache)
    y = layer(x);                  dx = layer.backward(dy)   # cache of that call

A **container** (``Sequential``, or your own ``Module`` subclass) only
composes layers: its ``forward(x)`` returns ``out``, like in PyTorch, and it
never writes a backward. A **loss** (``Loss`` subclass) is a layer with a
scalar output: ``forward(input, target) -> (loss, cache)``,
``backward(dout, cache) -> dinput``; ``loss = loss_fn(logits, y)`` then
``dlogits = loss_fn.backward()``.

How ``model.backward`` works
----------------------------
Calling a container records a *tape*: for each layer call, the layer, its
cache, the arrays it consumed and the array it produced. Layers run in an
order where every array is produced before it is used, so walking the tape
in reverse meets each array's consumers before its producer: by then the
gradient of that array, summed over every consumer (fan-out), is complete,
and the producer's backward turns it into its inputs' gradients -- the
chain rule. One layer object called four times gets four tape entries; its
parameter gradients add up, as in PyTorch.

What the tape refuses (at backward, before any gradient changes)
----------------------------------------------------------------
* An array that no layer produced, fed to a layer after layers ran (NumPy
  arithmetic between layers, ``h * 2``): it has no backward. Write it as a
  layer (``nn.Add`` for ``x + f(x)``).
* Arithmetic before the first layer when ``input_grad=True``: the returned
  gradient would be with respect to the modified input, not the input.
* Recorded arrays are read-only, so an in-place edit (``h *= 2``) raises at
  once; one made writeable again is refused at backward.
* A composite layer that calls a sublayer in its forward, a ``Module`` whose
  forward computes with NumPy, a layer with parameters missing from the
  model (a plain Python list), a gradient from an earlier forward's loss,
  a forward that raised, backward twice.
"""
import contextlib
import inspect

import numpy as np

from .parameter import Parameter  # noqa: F401 (re-exported: nn.module.Parameter)

# The tape being recorded by the outermost container call, or None.
_tape = None
_grad_enabled = True
# (gradient, input) of the last Loss.backward(): model.backward checks that a
# loss gradient belongs to the output of the forward it backpropagates.
_loss_gradient = (None, None)


@contextlib.contextmanager
def no_grad():
    """Run forward passes (and losses) without recording anything, for evaluation."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    return f"a {type(value).__name__}"


def _split_result(obj, result, returns="(out, cache)"):
    """``result`` as the pair a forward must return, or a clear error."""
    if type(result) is not tuple or len(result) != 2:
        raise TypeError(f"{type(obj).__name__}.forward must return {returns}: the output and what "
                        f"backward needs (None if nothing) -- you returned {_describe(result)}. "
                        f"End forward with `return {returns[1:-1]}`")
    return result


def _require_init(module):
    if "training" not in vars(module):
        name = type(module).__name__
        raise RuntimeError(f"{name} was never initialised as a module: its __init__ must call "
                           f"super().__init__() first (class {name}(nn.Module): def __init__(self): "
                           "super().__init__(); ...)")


# Sentinels for "which cache would backward() use": a standalone call's cache,
# or the reason there is none.
class _State:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_NEVER, _RAISED, _USED, _AMBIGUOUS = (_State(n) for n in ("NEVER", "RAISED", "USED", "AMBIGUOUS"))


class _Tape:
    """The layer calls of one forward pass of ``owner``, in the order they ran."""

    __slots__ = ("owner", "inputs", "calls", "last_output", "output", "known", "known_upto",
                 "problem", "preprocessed", "is_chain")

    def __init__(self, owner, inputs):
        self.owner = owner
        self.inputs = inputs            # the model's input arrays
        self.calls = []                 # [(layer, cache, inputs, out), ...]
        self.last_output = inputs[0] if len(inputs) == 1 else None
        self.output = None
        self.known = None               # ids of model inputs and recorded outputs, built on demand
        self.known_upto = 0             # how many calls' outputs are in `known`
        self.problem = None             # why backward must refuse this tape, or None
        self.preprocessed = None        # arithmetic on the input before the first layer
        self.is_chain = True            # every layer so far took exactly the previous output

    def refuse(self, message):
        if self.problem is None:
            self.problem = message

    def refuse_composite(self, layer):
        # Takes precedence: the sublayer's call may already have been refused for its input.
        self.problem = (f"{type(layer).__name__} is a layer whose forward calls another layer "
                        f"({type(self.calls[-1][0]).__name__}); the tape records layer calls made by "
                        "the model, not inside a layer. Either call the pieces' forward/backward "
                        "yourself in this layer's forward and backward, or make it a Module (no "
                        "backward) that calls the layers")

    def is_recorded(self, array):
        """Is ``array`` a model input or an output recorded so far?"""
        # The tape holds every array it names, so their ids stay unique.
        if self.known is None:
            self.known = {id(x) for x in self.inputs}
        for call in self.calls[self.known_upto:]:
            self.known.add(id(call[3]))
        self.known_upto = len(self.calls)
        return id(array) in self.known

    def check_inputs(self, layer, inputs, out):
        """A layer got something else than the previous layer's output alone."""
        self.is_chain = False
        if all(out is not x for x in inputs):
            _protect(layer, out)
        for x in inputs:
            if self.is_recorded(x):
                continue
            name = f"{type(layer).__name__} (call {len(self.calls) + 1})"
            if not self.calls:
                self.preprocessed = (f"{name} received {_describe(x)} computed from the model's input "
                                     "before any layer ran")
            else:
                self.refuse(f"{name} received {_describe(x)} that no layer produced: NumPy arithmetic "
                            "between layers (such as h * 2, x + f(x), or np.maximum(h, 0)) has no "
                            "backward. Do that computation inside a layer (nn.Add() for x + f(x), "
                            "nn.ReLU() for np.maximum, or your own Layer with a backward)")

    def check_registered(self, layer):
        """Once per layer and model: is the layer part of the model?"""
        _require_init(layer)
        owner = self.owner
        if any(m is layer for m in owner.modules()) or not layer._has_parameters:
            layer._owner = owner
            return
        self.refuse(f"{type(layer).__name__} (call {len(self.calls) + 1}) has parameters that would "
                    f"receive gradients, but it is not registered in {type(owner).__name__}: "
                    "parameters(), state_dict() and the optimizer never see it (layers kept in a plain "
                    "Python list are invisible). Assign it as an attribute (self.fc = nn.Linear(...)) "
                    "or keep the layers in nn.ModuleList([...])")

    def first_trainable(self):
        """Index of the first call whose layer has parameters, or None.

        Every call before it depends only on the input, so with
        ``input_grad=False`` none of them needs a backward.
        """
        for i, call in enumerate(self.calls):
            if call[0]._has_parameters:
                return i
        return None


class Module:
    """Base class of every model piece; subclass it to compose layers.

    Assign layers as attributes in ``__init__`` (after ``super().__init__()``)
    and write ``forward(x)``; ``parameters()``, ``state_dict()``,
    ``train()``/``eval()`` and ``backward()`` then work through those
    attributes, with PyTorch's names.
    """

    def __init__(self):
        self.training = True
        self._buffer_names = []
        self._last_tape = _NEVER        # the tape of the last forward call, for backward

    # -- running -----------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, *inputs):
        global _tape
        tape = _tape
        if tape is not None:            # an outer container records
            out = self.forward(*inputs)
            if out is not tape.last_output and not tape.is_recorded(out):
                tape.refuse(f"{type(self).__name__} is a Module whose forward returned {_describe(out)} "
                            "that no layer produced (computed with NumPy): a Module only composes "
                            f"layers and has no backward. If {type(self).__name__} is a layer, subclass "
                            "nn.Layer and write forward(x) -> (out, cache) and backward(dout, cache)")
            return out
        if not _grad_enabled:
            return self.forward(*inputs)
        _require_init(self)
        self._last_tape = _RAISED       # until the forward succeeds
        tape = _tape = _Tape(self, inputs)
        try:
            out = self.forward(*inputs)
        finally:
            _tape = None
        if out is not tape.last_output:
            tape.is_chain = False
        if out is not tape.last_output and not tape.is_recorded(out):
            if not tape.calls:
                tape.refuse(f"{type(self).__name__}.forward ran no layer and returned {_describe(out)} "
                            "computed with NumPy: a Module only composes layers and has no backward. "
                            f"If {type(self).__name__} is a layer, subclass nn.Layer and write "
                            "forward(x) -> (out, cache) and backward(dout, cache)")
            tape.refuse(f"{type(self).__name__}.forward returned {_describe(out)} that no layer "
                        "produced: NumPy arithmetic after the last layer has no backward. Do it "
                        "inside a layer, or after the model, on the loss side")
        tape.output = out
        self._last_tape = tape
        return out

    def backward(self, grad, input_grad=False):
        """Backpropagate ``grad`` = dL/d(output of the last forward call).

        Every parameter's ``.grad`` receives its share. Returns dL/d(input)
        (a tuple for several inputs) when ``input_grad=True``; otherwise
        ``None``, and -- like PyTorch, which never differentiates w.r.t. the
        data -- the layers below the first trainable one are skipped.
        """
        tape = self._take_tape(grad, input_grad)
        calls = tape.calls
        first = 0 if input_grad else tape.first_trainable()
        if first is None:                       # no parameters: nothing needs a gradient
            return None
        above = reversed(calls[first + (not input_grad):])     # the calls whose dx is needed
        if tape.is_chain:                       # each layer took the previous one's output
            for layer, cache, inputs, _ in above:
                grad = layer._backward(grad, cache)
                if grad.__class__ is not np.ndarray or grad.shape != inputs[0].shape:
                    _check_input_grad(layer, inputs[0], grad)   # raises
            reached = tape.inputs[0] if input_grad else calls[first][3]
            grads = {id(reached): grad}
        else:                                   # a graph: sum the gradients an array receives
            grads = {id(tape.output): grad}     # dL/d(array), by identity
            for layer, cache, inputs, out in above:
                dout = grads.pop(id(out), None)
                if dout is not None:            # None: this output does not lead to the loss
                    _add_input_grads(grads, layer, inputs, layer._backward(dout, cache))
        if input_grad:
            dxs = tuple(grads[id(x)] if id(x) in grads else np.zeros_like(x) for x in tape.inputs)
            return dxs[0] if len(dxs) == 1 else dxs
        layer, cache, _, out = calls[first]     # the first layer with parameters:
        dout = grads.pop(id(out), None)
        if dout is not None:
            layer._backward_without_dx(dout, cache)     # its input is data, needing no gradient
        return None

    def _take_tape(self, grad, input_grad):
        """The tape of the last forward, once, after every check that it can be replayed."""
        tape = getattr(self, "_last_tape", _NEVER)
        name = type(self).__name__
        if tape is _NEVER or tape is None:
            raise RuntimeError(f"{name}.backward() needs a forward pass first "
                               "(forward under tn.no_grad() records nothing)")
        if tape is _USED:
            raise RuntimeError(f"{name}.backward() needs a forward pass first: the last forward was "
                               "already backpropagated (each forward pass can be backpropagated once)")
        if tape is _RAISED:
            raise RuntimeError(f"{name}.backward() needs a forward pass first: the last forward raised "
                               "an error, so there is nothing to backpropagate; fix it and run forward again")
        if tape.problem is not None:
            raise RuntimeError(f"{name}.backward cannot differentiate this forward pass: {tape.problem}")
        if input_grad and tape.preprocessed is not None:
            raise RuntimeError(f"{name}.backward(input_grad=True): {tape.preprocessed}, so the gradient "
                               "would be with respect to that modified array, not the input. Pass the "
                               "preprocessed array to the model, or do the computation in a layer")
        if grad is _loss_gradient[0] and _loss_gradient[1] is not tape.output:
            raise RuntimeError(f"{name}.backward: this gradient came from a loss computed on an earlier "
                               "output, not on the output of the last forward: you ran a second forward "
                               "(e.g. validation) since; evaluate under tn.no_grad() or call backward first")
        shape = getattr(tape.output, "shape", None)
        if grad.__class__ is not np.ndarray or grad.shape != shape:
            raise ValueError(f"backward expects a gradient of the output's shape "
                             f"{shape}, got {np.shape(grad)}")
        for layer, _, _, out in tape.calls:
            if out.flags.writeable and all(out is not x for x in tape.inputs):
                raise RuntimeError(f"{name}.backward: the output of {type(layer).__name__} was made "
                                   "writeable again after the forward and may have been changed in "
                                   "place, so its recorded backward no longer matches. Copy it "
                                   "(h = h.copy()) before editing, or do the edit in a layer")
        self._last_tape = _USED
        return tape

    # -- structure ---------------------------------------------------------
    def register_buffer(self, name, array):
        """A non-learnable state array (e.g. running_mean), saved in state_dict."""
        setattr(self, name, array)
        self._buffer_names.append(name)

    def named_children(self):
        for name, value in vars(self).items():
            if isinstance(value, Module) and not name.startswith("_"):
                yield name, value

    def children(self):
        return (module for _, module in self.named_children())

    def modules(self):
        _require_init(self)
        yield self
        for child in self.children():
            yield from child.modules()

    def _own_parameters(self):
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    @property
    def _has_parameters(self):
        return any(isinstance(value, Parameter) for value in vars(self).values())

    def named_parameters(self, prefix=""):
        """(name, Parameter) pairs with PyTorch's dotted names, each once."""
        seen = set()
        for name, p in self._named_state(prefix, buffers=False):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self):
        return (p for _, p in self.named_parameters())

    def _named_state(self, prefix, buffers):
        """Own parameters, then own buffers, then each child's: state_dict order."""
        _require_init(self)
        for name, p in self._own_parameters():
            yield prefix + name, p
        if buffers:
            for name in self._buffer_names:
                yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child._named_state(prefix + name + ".", buffers)

    # -- modes and gradients ----------------------------------------------
    def train(self, mode=True):
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.fill(0)

    # -- dtype -------------------------------------------------------------
    def to(self, dtype):
        """Convert parameters, gradients and floating buffers to ``dtype``."""
        dtype = np.dtype(dtype)
        for module in self.modules():
            for _, p in module._own_parameters():
                p.data = p.data.astype(dtype)
                if p.grad is not None:
                    p.grad = p.grad.astype(dtype)
            for name in module._buffer_names:
                value = getattr(module, name)
                if value.dtype.kind == "f":
                    setattr(module, name, value.astype(dtype))
        return self

    def double(self):
        return self.to(np.float64)

    def float(self):
        return self.to(np.float32)

    # -- saving and loading ------------------------------------------------
    def state_dict(self):
        """Copies of every parameter and buffer, keyed like PyTorch's."""
        return {name: (value.data if isinstance(value, Parameter) else value).copy()
                for name, value in self._named_state("", buffers=True)}

    def load_state_dict(self, state_dict):
        """Copy arrays into this model's parameters and buffers (in place).

        Keys and shapes must match exactly, values must be finite and fit
        the model's dtypes, and a ``running_var`` must be non-negative;
        every problem is reported at once and nothing is changed unless
        everything fits. Values keep this model's dtypes, so a float64 torch
        state loads into a float32 model.
        """
        from .state_dict import check_state_dict
        targets = {name: (value.data if isinstance(value, Parameter) else value)
                   for name, value in self._named_state("", buffers=True)}
        for name, source in check_state_dict(type(self).__name__, targets, state_dict).items():
            np.copyto(targets[name], source, casting="unsafe")

    # -- printing ----------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


def _protect(layer, out):
    """Make a recorded output read-only: an in-place edit would break its recorded backward."""
    try:
        out.setflags(False)             # write=False
    except AttributeError:
        raise TypeError(f"{type(layer).__name__}.forward must return an array as out, "
                        f"got {_describe(out)}") from None


def _check_input_grad(layer, x, dx):
    if dx.__class__ is not np.ndarray or dx.shape != x.shape:
        raise ValueError(f"{type(layer).__name__}.backward returned {_describe(dx)} as the gradient "
                         f"of an input of shape {np.shape(x)}; it must have the input's shape"
                         + (" (did backward forget to `return dx`?)" if dx is None else ""))


def _add_input_grads(grads, layer, inputs, dx):
    """Add a layer's input gradients to ``grads`` (summing when an array fed several layers)."""
    if len(inputs) != 1:
        if type(dx) is not tuple or len(dx) != len(inputs):
            raise TypeError(f"{type(layer).__name__}.backward must return a tuple of {len(inputs)} "
                            f"input gradients (one per input), got {_describe(dx)}")
        for x, g in zip(inputs, dx):
            _add_input_grads(grads, layer, (x,), g)
        return
    x = inputs[0]
    _check_input_grad(layer, x, dx)
    key = id(x)
    grads[key] = grads[key] + dx if key in grads else dx       # fan-out: the gradients add


def _standalone_backward(backward):
    """Let ``layer.backward(dout)`` use the cache of the last standalone ``layer(x)``."""
    def wrapper(self, dout, cache=_NEVER, **kwargs):
        if cache is _NEVER:
            cache = self._take_standalone_cache()
        return backward(self, dout, cache, **kwargs)
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = \
        backward.__name__, backward.__qualname__, backward.__doc__
    wrapper.__wrapped__ = backward
    return wrapper


class Layer(Module):
    """A module with a hand-written forward and backward: see the contract above.

    Subclasses define ``forward(x) -> (out, cache)`` and
    ``backward(dout, cache) -> dx`` (optionally with ``need_dx=True``).
    Calling ``layer(x)`` returns ``out``; inside a container's forward it
    also puts the call on the tape, and on its own it keeps the cache for
    ``layer.backward(dout)``.
    """

    _owner = None                       # the model this layer was found registered in
    _standalone_cache = _NEVER          # cache of the last standalone call, or why there is none

    def __init_subclass__(cls, **kwargs):
        # Once per class: keep the class's own backward for the tape, wrap the
        # public one for the one-argument form, and note whether it knows need_dx.
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None:
            cls._backward = backward
            cls._accepts_need_dx = "need_dx" in inspect.signature(backward).parameters
            cls.backward = _standalone_backward(backward)

    def __call__(self, *inputs):
        tape = _tape
        if tape is None:
            return self._call_alone(inputs)
        last = tape.last_output
        result = self.forward(*inputs)
        try:
            out, cache = result if result.__class__ is tuple else None
        except (TypeError, ValueError):
            _split_result(self, result)                 # raises a clear error
        if tape.last_output is not last:                # a layer was recorded during this forward
            tape.refuse_composite(self)
        if len(inputs) == 1 and inputs[0] is last:      # a chain: the previous layer's output
            if out is not last:                         # (an identity layer returns its input)
                try:
                    out.setflags(False)                 # write=False: read-only (see _protect)
                except AttributeError:
                    _protect(self, out)                 # raises a clear error
        else:
            tape.check_inputs(self, inputs, out)
        if self._owner is not tape.owner:
            tape.check_registered(self)
        tape.calls.append((self, cache, inputs, out))
        tape.last_output = out
        return out

    def _call_alone(self, inputs):
        if not _grad_enabled:
            return _split_result(self, self.forward(*inputs))[0]
        self._standalone_cache = _RAISED
        out, cache = _split_result(self, self.forward(*inputs))
        self._standalone_cache = cache
        return out

    def _take_standalone_cache(self):
        cache = self._standalone_cache
        name = type(self).__name__
        if cache is _NEVER:
            raise RuntimeError(f"{name}.backward(dout) without a cache uses the cache of the last "
                               f"call y = layer(x) made outside a model, and there was none. Call the "
                               "layer first, pass the cache (out, cache = layer.forward(x); "
                               "layer.backward(dout, cache)), or, inside a model, use model.backward")
        if cache is _RAISED:
            raise RuntimeError(f"{name}.backward(dout): the last call of the layer raised an error, "
                               "so there is no cache to use; call it again")
        if cache is _USED:
            raise RuntimeError(f"{name}.backward(dout): the cache of the last call was already used "
                               "by a backward; call the layer again first (one backward per call)")
        self._standalone_cache = _USED
        return cache

    def _backward_without_dx(self, dout, cache):
        """Parameter gradients only: the input's gradient is not wanted."""
        if self._accepts_need_dx:
            self._backward(dout, cache, need_dx=False)
        else:
            self._backward(dout, cache)

    def _backward(self, dout, cache):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout, cache)")

    _accepts_need_dx = False
    backward = _standalone_backward(_backward)

    def _check_features(self, x, num_features, dtype):
        """The input must be a (N, num_features) array of the parameters' dtype."""
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != num_features:
            raise ValueError(f"{type(self).__name__} expects an input array of shape "
                             f"(N, {num_features}), got {getattr(x, 'shape', type(x).__name__)}")
        if x.dtype != dtype:
            raise TypeError(f"{type(self).__name__} has {dtype} parameters but got a {x.dtype} input; "
                            f"convert the input (x.astype(np.{dtype})) or the model "
                            "(model.float() / model.double())")


class Loss:
    """Base class of losses: a layer with a scalar output (C2b).

    Subclasses define ``forward(input, target) -> (loss: float, cache)`` and
    ``backward(dout, cache) -> dinput`` (dout = dL/dloss). Public use::

        loss = loss_fn(logits, y)        # a Python float
        dlogits = loss_fn.backward()     # the last call's gradient, dout = 1.0

    ``backward()`` refers to the last call made with gradients enabled; it is
    refused when that call raised, when it was already used, and when two
    such calls happened with no backward between (which one is meant?).
    Calls under ``tn.no_grad()`` record nothing.
    """

    def __init__(self):
        self._cache = _NEVER            # cache of the last recording call, or why there is none
        self._input = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is not None:
            cls._backward = backward
            cls.backward = _loss_backward(backward)

    def __call__(self, input, target):
        if not _grad_enabled:
            return _split_result(self, self.forward(input, target), "(loss, cache)")[0]
        pending = getattr(self, "_cache", _NEVER)
        self._cache, self._input = _RAISED, None
        result = self.forward(input, target)
        try:
            loss, cache = result if result.__class__ is tuple else None
        except (TypeError, ValueError):
            _split_result(self, result, "(loss, cache)")   # raises a clear error
        if pending is _NEVER or pending is _USED or pending is _RAISED:
            self._cache, self._input = cache, input
        else:                                   # the previous call's cache was never used
            self._cache = _AMBIGUOUS
        return loss

    def _take_cache(self):
        cache = getattr(self, "_cache", _NEVER)
        name = type(self).__name__
        if cache is _NEVER:
            raise RuntimeError(f"{name}.backward() needs a forward call first: compute "
                               "loss = loss_fn(logits, y) (outside tn.no_grad()), then backward()")
        if cache is _USED:
            raise RuntimeError(f"{name}.backward() was already called for the last loss; "
                               "call the loss again first (one backward per call)")
        if cache is _RAISED:
            raise RuntimeError(f"{name}.backward(): the last call of the loss raised an error, so there "
                               "is no gradient to return; fix the inputs and call the loss again")
        if cache is _AMBIGUOUS:
            self._cache = _USED                 # refused once; the next call starts afresh
            raise RuntimeError(f"{name}.backward() is ambiguous: the loss was called twice with gradients "
                               "enabled and no backward between, so which call's gradient is meant? "
                               "Compute validation losses under tn.no_grad()")
        self._cache = _USED
        return cache

    def forward(self, input, target):
        raise NotImplementedError(f"{type(self).__name__} must define forward(input, target)")

    def _backward(self, dout, cache):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout, cache)")

    def __repr__(self):
        return f"{type(self).__name__}()"


def _loss_backward(backward):
    """Let ``loss_fn.backward()`` use the last call's cache, and link the gradient to its input."""
    def wrapper(self, dout=1.0, cache=_NEVER):
        global _loss_gradient
        if cache is not _NEVER:
            return backward(self, dout, cache)
        cache, input = self._take_cache(), self._input
        self._input = None
        dinput = backward(self, dout, cache)
        _loss_gradient = (dinput, input)
        return dinput
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = \
        backward.__name__, backward.__qualname__, backward.__doc__
    wrapper.__wrapped__ = backward
    return wrapper


Loss.backward = _loss_backward(Loss._backward)

from .containers import ModuleList, Sequential  # noqa: E402,F401 (re-exported from module.py)
