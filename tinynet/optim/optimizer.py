"""What every optimizer shares: its parameter list, checked hyper-parameters,
checked gradients and per-parameter buffers. The update rules themselves
live in sgd.py and adam.py."""
import math
import numbers

import numpy as np

from ..nn.module import Module
from ..nn.parameter import Parameter


# -- hyper-parameter rules: (what the value must be, test, hint on failure) --
POSITIVE = ("a positive number", lambda v: v > 0, "")
NON_NEGATIVE = ("a non-negative number", lambda v: v >= 0, "")
FRACTION = ("a number in [0, 1)", lambda v: 0 <= v < 1,
            " (at 1 or more the running average never forgets a gradient and training diverges)")


def check_number(owner, name, value, rule):
    """``value`` as a float if it obeys ``rule``; otherwise a clear error.

    Python numbers, NumPy scalars (np.float32(0.1), np.int64(0)) and 0-d
    arrays are accepted alike; bools, strings and NaN/inf are refused.
    """
    what, test, hint = rule
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be {what}, got {value!r} of type {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or not test(number):
        raise ValueError(f"{owner}: {name} must be {what}, got {value!r}{hint}")
    return number


def parameter_list(owner, params):
    """The Parameters to optimize and their names, from ``model.parameters()``
    or ``model.named_parameters()`` (or a list of either).

    A parameter without a name is called "parameter i of shape (...)" in
    messages. The same Parameter listed twice would be stepped twice, so it
    is refused, naming both positions.
    """
    if isinstance(params, Module):
        raise TypeError(f"{owner} takes the model's parameters, not the model: "
                        f"{owner}(model.parameters(), ...)")
    if isinstance(params, Parameter):
        raise TypeError(f"{owner} takes a list of parameters; wrap a single one: {owner}([p], ...)")
    if isinstance(params, (str, bytes, dict, np.ndarray)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{owner} takes model.parameters() or model.named_parameters(), "
                        f"got {type(params).__name__}")
    entries = list(params)
    if not entries:
        raise ValueError(f"{owner} got an empty parameter list (a generator such as model.parameters() "
                         "is empty once it has been used: call model.parameters() again)")
    found, names, position = [], [], {}
    for i, entry in enumerate(entries):
        name = None
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str):
            name, entry = entry
        if isinstance(entry, dict):
            raise TypeError(f"{owner} takes one list of parameters; parameter groups (dicts, as in "
                            f"PyTorch) are not supported (entry at position {i})")
        if not isinstance(entry, Parameter):
            raise TypeError(f"{owner} expects tinynet Parameters (or (name, Parameter) pairs), "
                            f"got {type(entry).__name__} at position {i}")
        if not isinstance(entry.data, np.ndarray) or entry.data.dtype.kind != "f":
            what = name or f"the parameter at position {i}"
            raise TypeError(f"{owner} can only update floating-point arrays; {what} holds "
                            f"{type(entry.data).__name__} {getattr(entry.data, 'dtype', '')}")
        label = name if name is not None else f"parameter {i} of shape {entry.data.shape}"
        if id(entry) in position:
            first = position[id(entry)]
            raise ValueError(f"{owner}: {label} (position {i}) is the same Parameter as "
                             f"{names[first]} (position {first}); each parameter may be listed "
                             "once, or it would be updated twice per step")
        position[id(entry)] = i
        found.append(entry)
        names.append(label)
    return found, names


class Optimizer:
    """Base class of SGD and Adam.

    Subclasses set ``hyperparameters`` = {name: rule} and write ``step()``.
    Hyper-parameters are checked whenever they are set, so a schedule that
    sets ``opt.lr = 0`` mid-training is refused as the constructor would.
    """

    hyperparameters = {}

    def __init__(self, params):
        self.params, self.names = parameter_list(type(self).__name__, params)
        self.state = [{} for _ in self.params]      # per parameter: its buffers, by name

    def __setattr__(self, name, value):
        rule = self.hyperparameters.get(name)
        if rule is not None:
            value = rule(type(self).__name__, name, value) if callable(rule) \
                else check_number(type(self).__name__, name, value, rule)
        object.__setattr__(self, name, value)

    def __repr__(self):
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({settings}; {len(self.params)} parameters)"

    def zero_grad(self):
        """Forget the gradients (``None``, like PyTorch's ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def check_gradients(self):
        """Refuse, before any parameter changes, a ``.grad`` that is not an
        array of exactly its parameter's shape and dtype: a gradient is never
        broadcast and never cast. (``None``, no gradient, is allowed.)"""
        for i, p in enumerate(self.params):
            g, w = p.grad, p.data
            if g is not None and (not isinstance(g, np.ndarray) or g.shape != w.shape
                                  or g.dtype != w.dtype):
                self._refuse_gradient(i, p, g)

    def _refuse_gradient(self, i, p, g):
        where = f"{type(self).__name__}.step: the gradient of {self.names[i]}"
        if not isinstance(g, np.ndarray):
            raise TypeError(f"{where} is a {type(g).__name__}, not a numpy array")
        if g.shape != p.data.shape:
            raise ValueError(f"{where} has shape {g.shape} but the parameter has shape {p.data.shape}; "
                             "a gradient must have exactly its parameter's shape (it is never broadcast). "
                             "Check the backward that produced it")
        raise TypeError(f"{where} is {g.dtype} but the parameter is {p.data.dtype}; "
                        f"a backward must return gradients of its parameters' dtype "
                        f"(g.astype(np.{p.data.dtype}))")

    def buffer(self, i, name):
        """Parameter i's buffer ``name`` (SGD's velocity, Adam's m and v), zeros at first use."""
        p, state = self.params[i], self.state[i]
        buf = state.get(name)
        if buf is None:
            buf = state[name] = np.zeros_like(p.data)
        elif buf.shape != p.data.shape or buf.dtype != p.data.dtype:
            raise RuntimeError(f"{type(self).__name__}: {self.names[i]} is now {p.data.dtype} {p.data.shape} "
                               f"but its {name} buffer is {buf.dtype} {buf.shape}; the parameter changed "
                               "after the optimizer started (e.g. model.double() mid-training): "
                               "create a new optimizer after converting the model")
        return buf
