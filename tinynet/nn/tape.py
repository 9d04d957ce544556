"""The tape: what a forward pass recorded, and the chain rule that walks it back.

Calling a model records, for every layer call ``out = layer(*inputs)``,
the layer, its inputs, its output and its cache. Layers run in an order
where every array is produced before it is used, so walking the calls in
reverse meets all the consumers of an array before its producer. By then
dL/d(array), summed over every consumer (fan-out), is complete, and the
producer's backward turns it into its inputs' gradients: the chain rule,
one layer at a time (``Tape.backward``).

tinynet records layer calls only, not every NumPy operation as PyTorch
records tensor operations. So the tape refuses, with a message that says
what to do, every forward pass it could not differentiate correctly: an
array fed to a layer that no layer produced (NumPy arithmetic between
layers), a layer calling another layer inside its forward, a layer with
parameters the model does not hold, an output edited in place after it
was recorded.

The recording state belongs to the thread that runs the forward pass, as
PyTorch's grad mode does: separate models train in separate threads
exactly as they would alone.
"""
import contextlib
import threading

import numpy as np

from .messages import describe


class _Recording(threading.local):
    """The global switches, one set per thread (class attributes are the defaults)."""

    grad_enabled = True     # False inside ``no_grad()``: nothing is recorded
    tape = None             # the tape of the model call running now, or None
    loss_link = (None, None)    # (gradient, input) of the last ``loss_fn.backward()``


recording = _Recording()


@contextlib.contextmanager
def no_grad():
    """Run forward passes and losses without recording anything (evaluation)."""
    previous, recording.grad_enabled = recording.grad_enabled, False
    try:
        yield
    finally:
        recording.grad_enabled = previous


class Tape:
    """The layer calls of one forward pass of ``model``, in the order they ran."""

    __slots__ = ("model", "inputs", "calls", "output", "produced", "problem", "preprocessed")

    def __init__(self, model, inputs):
        self.model = model
        self.inputs = inputs            # the model's input arrays
        self.calls = []                 # (layer, inputs, out, cache), in call order
        self.output = None              # what the model's forward returned
        self.produced = {id(x) for x in inputs}     # model inputs and recorded outputs
        self.problem = None             # why backward must refuse this tape, or None
        self.preprocessed = None        # an input computed from the model's input before any layer

    def refuse(self, message):
        """Note why backward must refuse this tape (the first reason found is kept)."""
        if self.problem is None:
            self.problem = message

    def refuse_composite(self, layer):
        # Replaces an earlier reason: the sublayer's own call may have been refused for its input.
        self.problem = (f"{type(layer).__name__} is a layer whose forward calls another layer "
                        f"({type(self.calls[-1][0]).__name__}); the tape records layer calls made by "
                        "the model, not inside a layer. Either call the pieces' forward/backward "
                        "yourself in this layer's forward and backward, or make it a Module (no "
                        "backward) that calls the layers")

    def record(self, layer, inputs, out, cache):
        """Note one layer call, ``out = layer(*inputs)``, and make ``out`` read-only."""
        for x in inputs:
            if id(x) not in self.produced:
                self._note_foreign_input(layer, x)
        if id(out) not in self.produced:        # (a layer may return its input unchanged)
            try:
                out.setflags(False)             # write=False: an in-place edit would break the backward
            except AttributeError:
                raise TypeError(f"{type(layer).__name__}.forward must return an array as out, "
                                f"got {describe(out)}") from None
            self.produced.add(id(out))
        if layer._owner is not self.model:
            self._check_registered(layer)
        self.calls.append((layer, inputs, out, cache))

    def finish(self, module, out):
        """``module``'s forward returned ``out``: a Module composes layers, so a layer made it."""
        if id(out) in self.produced:
            return
        name = type(module).__name__
        if module is self.model and not self.calls:
            self.refuse(f"{name}.forward ran no layer and returned {describe(out)} computed with "
                        f"NumPy: a Module only composes layers and has no backward. If {name} is a "
                        "layer, subclass nn.Layer and write forward(x) -> (out, cache) and "
                        "backward(dout, cache)")
        elif module is self.model:
            self.refuse(f"{name}.forward returned {describe(out)} that no layer produced: NumPy "
                        "arithmetic after the last layer has no backward. Do it inside a layer, or "
                        "after the model, on the loss side")
        else:
            self.refuse(f"{name} is a Module whose forward returned {describe(out)} that no layer "
                        "produced (computed with NumPy): a Module only composes layers and has no "
                        f"backward. If {name} is a layer, subclass nn.Layer and write forward(x) -> "
                        "(out, cache) and backward(dout, cache)")

    def backward(self, grad, input_grad):
        """The chain rule over the recorded calls, in reverse; see the module docstring.

        ``grads`` holds dL/d(array) for the arrays whose consumers have all
        run their backward, keyed by the array's identity. Returns dL/d(the
        model's inputs) when ``input_grad``; otherwise the first call with
        parameters gets ``need_dx=False`` and the calls before it are skipped,
        since nothing below it has parameters.
        """
        first = 0 if input_grad else self.first_trainable()
        if first is None:                       # no parameters at all: nothing to compute
            return None
        grads = {id(self.output): grad}
        above = first if input_grad else first + 1      # the calls whose dx is needed
        for layer, inputs, out, cache in reversed(self.calls[above:]):
            dout = grads.pop(id(out), None)
            if dout is None:                    # this output does not lead to the loss
                continue
            dxs = layer.backward(dout, cache)
            if len(inputs) == 1:
                dxs = (dxs,)
            elif not isinstance(dxs, tuple) or len(dxs) != len(inputs):
                raise TypeError(f"{type(layer).__name__}.backward must return a tuple of {len(inputs)} "
                                f"input gradients (one per input), got {describe(dxs)}")
            for x, dx in zip(inputs, dxs):
                if not isinstance(dx, np.ndarray) or dx.shape != x.shape or dx.dtype != x.dtype:
                    _refuse_input_grad(layer, x, dx)
                key = id(x)
                grads[key] = grads[key] + dx if key in grads else dx    # fan-out: gradients add
        if input_grad:
            dxs = tuple(grads[id(x)] if id(x) in grads else np.zeros_like(x) for x in self.inputs)
            return dxs[0] if len(dxs) == 1 else dxs
        layer, _, out, cache = self.calls[first]    # its input is data: parameter gradients only
        dout = grads.pop(id(out), None)
        if dout is not None and layer._accepts_need_dx:
            layer.backward(dout, cache, need_dx=False)
        elif dout is not None:
            layer.backward(dout, cache)
        return None

    def first_trainable(self):
        """Index of the first call whose layer has parameters (None if no layer has any)."""
        for i, (layer, _, _, _) in enumerate(self.calls):
            if layer.has_parameters:
                return i
        return None

    def check(self, grad, input_grad):
        """Every reason to refuse this backward, before any gradient changes."""
        name = type(self.model).__name__
        if self.problem is not None:
            raise RuntimeError(f"{name}.backward cannot differentiate this forward pass: {self.problem}")
        if input_grad and self.preprocessed is not None:
            raise RuntimeError(f"{name}.backward(input_grad=True): {self.preprocessed}, so the gradient "
                               "would be with respect to that modified array, not the input. Pass the "
                               "preprocessed array to the model, or do the computation in a layer")
        link_grad, link_input = recording.loss_link
        if grad is link_grad and link_input is not self.output:
            raise RuntimeError(f"{name}.backward: this gradient came from a loss computed on an earlier "
                               "output, not on the output of the last forward: you ran a second forward "
                               "(e.g. validation) since; evaluate under tn.no_grad() or call backward first")
        out = self.output
        if not isinstance(grad, np.ndarray) or grad.shape != out.shape or grad.dtype != out.dtype:
            _refuse_output_grad(name, grad, out)
        for layer, inputs, out, _ in self.calls:
            if out.flags.writeable and all(out is not x for x in inputs):     # (not an identity)
                raise RuntimeError(f"{name}.backward: the output of {type(layer).__name__} was made "
                                   "writeable again after the forward and may have been changed in "
                                   "place, so its recorded backward no longer matches. Copy it "
                                   "(h = h.copy()) before editing, or do the edit in a layer")

    def _note_foreign_input(self, layer, x):
        name = f"{type(layer).__name__} (call {len(self.calls) + 1})"
        if not self.calls:
            self.preprocessed = (f"{name} received {describe(x)} computed from the model's input "
                                 "before any layer ran")
        else:
            self.refuse(f"{name} received {describe(x)} that no layer produced: NumPy arithmetic "
                        "between layers (such as h * 2, x + f(x), or np.maximum(h, 0)) has no "
                        "backward. Do that computation inside a layer (nn.Add() for x + f(x), "
                        "nn.ReLU() for np.maximum, or your own Layer with a backward)")

    def _check_registered(self, layer):
        """Once per layer and model: does the model hold the layer (if it has parameters)?"""
        layer.require_init()
        if not layer.has_parameters or any(m is layer for m in self.model.modules()):
            layer._owner = self.model
            return
        self.refuse(f"{type(layer).__name__} (call {len(self.calls) + 1}) has parameters that would "
                    f"receive gradients, but it is not registered in {type(self.model).__name__}: "
                    "parameters(), state_dict() and the optimizer never see it (layers kept in a plain "
                    "Python list are invisible). Assign it as an attribute (self.fc = nn.Linear(...)) "
                    "or keep the layers in nn.ModuleList([...])")


def _refuse_output_grad(name, grad, out):
    """The gradient handed to ``model.backward`` does not match the model's output."""
    expected = f"dL/d(output): a gradient of the output's shape {out.shape} and dtype {out.dtype}"
    if not isinstance(grad, np.ndarray):
        raise TypeError(f"{name}.backward expects {expected}, got {describe(grad)}")
    if grad.shape != out.shape:
        raise ValueError(f"{name}.backward expects {expected}, got shape {grad.shape}")
    raise TypeError(f"{name}.backward expects {expected}, got {grad.dtype} (a {grad.dtype} gradient "
                    f"would turn the parameters' gradients {grad.dtype}); convert it: "
                    f"grad.astype(np.{out.dtype})")


def _refuse_input_grad(layer, x, dx):
    """A layer's backward returned something else than an array of its input's shape and dtype."""
    name = type(layer).__name__
    if isinstance(dx, np.ndarray) and dx.shape == x.shape:
        if x.dtype.kind != "f":                 # an integer input: any float gradient will do
            return
        raise TypeError(f"{name}.backward returned a {dx.dtype} gradient for a {x.dtype} input; "
                        f"a gradient has its input's dtype (dx.astype(np.{x.dtype}))")
    raise ValueError(f"{name}.backward returned {describe(dx)} as the gradient of an input of shape "
                     f"{np.shape(x)}; it must have the input's shape"
                     + (" (did backward forget to `return dx`?)" if dx is None else ""))

