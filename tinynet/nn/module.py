"""``Module``: the base class of every model piece, and what it knows of its parts.

A **module** holds layers as attributes and composes them in ``forward(x)``,
which returns ``out`` as in PyTorch; ``parameters()``, ``state_dict()``,
``train()``/``eval()``, ``to(dtype)`` and ``backward()`` work through those
attributes. A container (``Sequential``, ``ModuleList``, your own model) never
writes a backward: calling it records a tape of its layer calls
(``tinynet/nn/tape.py``), and ``model.backward(grad)`` replays that tape in
reverse. The math lives in layers (``tinynet/nn/layer.py``).
"""
import numpy as np

from .messages import MODEL_TAPE, require_arrays, require_init
from .once import Once
from .parameter import Parameter
from .tape import Tape, recording


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
        self._last_call = Once()        # what the last call left for backward: its tape (or cache)

    # -- running -----------------------------------------------------------
    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __call__(self, *inputs):
        tape = recording.tape
        if tape is not None:            # part of a model being recorded: only compose
            out = self.forward(*inputs)
            tape.finish(self, out)
            return out
        require_arrays(self, inputs)
        if not recording.grad_enabled:
            return self.forward(*inputs)
        self.require_init()
        self._last_call.fail()          # until the forward returns
        tape = recording.tape = Tape(self, inputs)
        try:
            out = self.forward(*inputs)
        finally:
            recording.tape = None
        tape.output = out
        tape.finish(self, out)
        self._last_call.put(tape)
        return out

    def backward(self, grad, input_grad=False):
        """Backpropagate ``grad`` = dL/d(output of the last forward call).

        Every parameter's ``.grad`` receives its share. Returns dL/d(input)
        (a tuple for several inputs) when ``input_grad=True``; otherwise
        ``None``, and -- like PyTorch, which never differentiates w.r.t. the
        data -- the layers below the first one with parameters are skipped.
        Everything that would make the gradient wrong is refused before any
        gradient changes (``Tape.check``).
        """
        tape = self._last_call.peek(self, MODEL_TAPE)
        tape.check(grad, input_grad)
        self._last_call.take(self, MODEL_TAPE)
        return tape.backward(grad, input_grad)

    def require_init(self):
        """Refuse a module whose ``__init__`` never ran ``Module.__init__``."""
        require_init(self, "nn.Module")

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
        self.require_init()
        yield self
        for child in self.children():
            yield from child.modules()

    def _own_parameters(self):
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    @property
    def has_parameters(self):
        """Does this module itself (not its children) hold a Parameter?"""
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
        self.require_init()
        for name, p in self._own_parameters():
            yield prefix + name, p
        if buffers:
            for name in self._buffer_names:
                yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child._named_state(prefix + name + ".", buffers)

    # -- modes and gradients ----------------------------------------------
    def train(self, mode=True):
        """Training mode (``mode=True``) or evaluation mode, for this module and every child."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}.train(mode): mode must be True or False, got "
                            f"{mode!r} (for evaluation mode call .eval() or .train(False))")
        mode = bool(mode)
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
        """Convert parameters, gradients and floating buffers to the floating ``dtype``."""
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}.to(dtype): {dtype!r} is not a NumPy dtype; use "
                            "np.float32 or np.float64") from None
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to({dtype}): parameters must be floating-point "
                            f"(float16, float32, float64); {dtype} would round every weight to "
                            "an integer (or a bool) and gradients could not change them")
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
