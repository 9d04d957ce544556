"""Parameters, modules, and the tape that runs ``model.backward``.

Two kinds of module
-------------------
* A **layer** (``Layer`` subclass: ``Linear``, ``ReLU``, ``BatchNorm1d`` ...)
  holds the math. Its ``forward(x)`` returns ``(out, cache)`` and its
  ``backward(dout, cache)`` returns ``dx``: the cache is everything backward
  needs, passed explicitly, as in CS231n's layer functions.
* A **container** (``Sequential``, or your own ``Module`` subclass) only
  composes layers: its ``forward(x)`` returns ``out``, like in PyTorch, and
  it never writes a backward.

How ``model.backward`` works
----------------------------
Calling a container records a *tape*: the list of ``(layer, cache)`` pairs in
the order the layers ran. ``model.backward(grad)`` walks that list in
reverse, feeding each layer the gradient of the one above it (the chain
rule). Because every call gets its own tape entry, one layer object may run
several times in a forward pass -- the lecture reuses one ``BatchNorm1d``
four times -- and each use is backpropagated with its own cache, its
parameter gradients adding up, exactly as in PyTorch.

The tape assumes the forward is a *chain*: each layer's input is the
previous layer's output. A forward that mixes outputs (``x + f(x)``) cannot
be replayed this way; backward then says so instead of returning nonsense.
"""
import contextlib

import numpy as np


class Parameter:
    """A learnable array and its gradient.

    ``data``:  the values, e.g. a weight matrix of shape (out, in).
    ``grad``:  dL/d(data), same shape and dtype, or ``None`` until a backward
               pass has produced one (``zero_grad`` resets it to ``None``).
    ``penalized``: whether ``optim.SGD``'s L1/L2 terms apply to it -- True for
               connection weights, False for biases and BatchNorm's gamma
               and beta (the lecture's Omega(w) is over the weights).
    """

    __slots__ = ("data", "grad", "penalized")

    def __init__(self, data, penalized=False):
        self.data = data
        self.grad = None
        self.penalized = penalized

    @property
    def shape(self):
        return self.data.shape

    def accumulate_grad(self, g):
        """Add ``g`` (a fresh array the caller hands over) to ``.grad``.

        Gradients add up until ``zero_grad``, as in PyTorch: a layer used k
        times in one forward pass gets the sum of its k contributions.
        """
        if self.grad is None:
            self.grad = g
        else:
            self.grad += g

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


# The tape being recorded by the outermost container call, or None.
_tape = None
_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Run forward passes without recording a tape (for evaluation)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


class _Tape:
    """The layer calls of one forward pass, in the order they ran."""

    __slots__ = ("calls", "last_output", "broken_at")

    def __init__(self, x):
        self.calls = []                 # [(layer, cache), ...]
        self.last_output = x            # what the next layer call must receive
        self.broken_at = None           # the first layer that broke the chain

    def first_trainable(self):
        """Index of the first call whose layer has parameters, or None."""
        for i, (layer, _) in enumerate(self.calls):
            if layer._has_parameters:
                return i
        return None


class Module:
    """Base class of every model piece; subclass it to compose layers.

    Assign layers as attributes in ``__init__`` and write ``forward(x)``;
    ``parameters()``, ``state_dict()``, ``train()``/``eval()`` and
    ``backward()`` then work through those attributes, with PyTorch's names.
    """

    def __init__(self):
        self.training = True
        self._buffer_names = []
        self._last_tape = None          # the tape of the last forward call, for backward

    # -- running -----------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, x):
        global _tape
        if _tape is not None or not _grad_enabled:
            return self.forward(x)      # an outer call records, or no tape wanted
        tape = _tape = _Tape(x)
        try:
            out = self.forward(x)
        finally:
            _tape = None
        if out is not tape.last_output and tape.broken_at is None:
            tape.broken_at = f"{type(self).__name__}.forward's return value"
        self._last_tape = tape
        return out

    def backward(self, grad, input_grad=False):
        """Backpropagate ``grad`` = dL/d(output of the last forward call).

        Every parameter's ``.grad`` receives its share. Returns dL/d(input)
        when ``input_grad=True``; otherwise ``None``, and -- like PyTorch,
        which never differentiates w.r.t. the data -- the input layer skips
        computing it.
        """
        tape, self._last_tape = self._last_tape, None
        if tape is None:
            raise RuntimeError(f"{type(self).__name__}.backward() needs a forward pass first "
                               "(each forward pass can be backpropagated once)")
        if tape.broken_at is not None:
            raise RuntimeError(f"model.backward only handles a forward that is a chain of layer calls, "
                               f"each receiving the previous one's output; {tape.broken_at} is not "
                               "(arithmetic between layers, such as a residual x + f(x), has no backward here)")
        if not isinstance(grad, np.ndarray) or grad.shape != tape.last_output.shape:
            raise ValueError(f"backward expects a gradient of the output's shape "
                             f"{tape.last_output.shape}, got {np.shape(grad)}")
        calls = tape.calls
        if input_grad:
            for layer, cache in reversed(calls):
                grad = layer.backward(grad, cache)
            return grad
        first = tape.first_trainable()
        if first is None:               # nothing below needs a gradient
            return None
        for layer, cache in reversed(calls[first + 1:]):
            grad = layer.backward(grad, cache)
        layer, cache = calls[first]
        layer.backward(grad, cache, need_dx=False)
        return None

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
        yield self
        for child in self.children():
            yield from child.modules()

    def _own_parameters(self):
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    @property
    def _has_parameters(self):
        for value in vars(self).values():     # a plain loop: any(...) costs twice as much here
            if isinstance(value, Parameter):
                return True
        return False

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

        Keys and shapes must match exactly; every problem is reported at
        once and nothing is changed unless everything fits. Values keep this
        model's dtypes, so a float64 torch state loads into a float32 model.
        """
        targets = {name: (value.data if isinstance(value, Parameter) else value)
                   for name, value in self._named_state("", buffers=True)}
        problems = []
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        if missing:
            problems.append(f"missing keys: {missing}")
        if unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        sources = {}
        for name, target in targets.items():
            if name not in state_dict:
                continue
            source = np.asarray(state_dict[name])
            if source.dtype.kind not in "biuf":
                problems.append(f"{name}: expected a numeric array, got dtype {source.dtype}")
            elif source.shape != target.shape:
                problems.append(f"{name}: shape {source.shape} in the state dict, "
                                f"{target.shape} in the model")
            sources[name] = source
        if problems:
            raise ValueError(f"cannot load state dict into {type(self).__name__}: "
                             + "; ".join(problems))
        for name, source in sources.items():
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


class Layer(Module):
    """A module with a hand-written forward and backward.

    Subclasses define::

        forward(x)              -> (out, cache)
        backward(dout, cache)   -> dx          # dout = dL/d(out), dx = dL/dx

    ``backward`` adds the parameter gradients to each ``Parameter.grad`` and
    never modifies ``dout``. Layers with parameters also accept
    ``need_dx=False``: the input layer then skips computing a gradient
    nobody uses. Calling ``layer(x)`` returns ``out`` and, inside a
    container's forward, puts ``(layer, cache)`` on the tape.
    To use a layer on its own, call the pair directly:
    ``out, cache = layer.forward(x); dx = layer.backward(dout, cache)``.
    """

    def __call__(self, x):
        out, cache = self.forward(x)
        tape = _tape
        if tape is not None:
            # The first layer may get a reshaped input; every later one must
            # get exactly the array the previous layer returned, or replaying
            # the tape would apply the chain rule to the wrong function.
            if x is not tape.last_output and tape.calls and tape.broken_at is None:
                tape.broken_at = f"{type(self).__name__} (call {len(tape.calls) + 1})'s input"
            tape.calls.append((self, cache))
            tape.last_output = out
        return out

    def backward(self, dout, cache):
        raise NotImplementedError(f"{type(self).__name__} must define backward(dout, cache)")

    def _check_features(self, x, num_features, dtype):
        """The input must be a (N, num_features) array of the parameters' dtype."""
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != num_features:
            raise ValueError(f"{type(self).__name__} expects an input array of shape "
                             f"(N, {num_features}), got {getattr(x, 'shape', type(x).__name__)}")
        if x.dtype != dtype:
            raise TypeError(f"{type(self).__name__} has {dtype} parameters but got a {x.dtype} input; "
                            f"convert the input (x.astype(np.{dtype})) or the model "
                            "(model.float() / model.double())")


class Sequential(Module):
    """Layers applied one after another: ``Sequential(fc1, relu, fc2)(x)``.

    Submodules are named "0", "1", ... as in PyTorch, so state_dict keys
    read ``0.weight``, ``2.bias``, ...
    """

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes modules, got {type(module).__name__} at position {i}")
            setattr(self, str(i), module)
        self._layers = modules

    def forward(self, x):
        for module in self._layers:
            x = module(x)
        return x

    def __len__(self):
        return len(self._layers)

    def __getitem__(self, i):
        return self._layers[i]

    def __iter__(self):
        return iter(self._layers)
