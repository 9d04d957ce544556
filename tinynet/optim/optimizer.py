"""What every optimizer shares: its parameter list, checked hyper-parameters,
checked gradients and per-parameter buffers. The update rules themselves
live in one file per optimizer (sgd.py, adam.py, adagrad.py, rmsprop.py)."""
import inspect

import numpy as np

from ..arguments import FRACTION, Rule, check_number
from ..nn.module import Module
from ..nn.parameter import Parameter

# -- hyper-parameter rules, beyond those in tinynet/arguments.py --------------
# eps is added to a square root that is exactly 0 for a weight whose gradients
# have all been 0 so far (a dead ReLU unit's weights): with eps = 0 its step is
# 0 / 0 = NaN. PyTorch accepts eps = 0; tinynet refuses it for that reason.
EPS = Rule("a positive number", lambda v: v > 0,
           " (it keeps the step finite where every gradient so far was 0: 0 / (0 + eps) = 0, not 0 / 0)")
MOMENTUM = FRACTION._replace(
    hint=" (at 1 or more the velocity adds up every past gradient without forgetting any, "
         "and training diverges)")
AVERAGING = FRACTION._replace(
    hint=" (it is the weight of the old average: at 1 the average keeps its starting value "
         "and never takes in a gradient)")


def _no_parameters_message(owner, params, was_used_up):
    """Why ``params`` held nothing, as exactly as it can be told."""
    if was_used_up:
        return (f"{owner} got a generator that was already used up (a generator such as "
                "model.parameters() can be read only once): call model.parameters() again "
                "for each optimizer")
    if isinstance(params, (list, tuple)):
        return (f"{owner} got an empty parameter list: nothing to optimize (if it came from a "
                "model, that model has no parameters, e.g. only activation layers)")
    return (f"{owner} got no parameters: the model has none (e.g. only activation layers, "
            "nothing to train), or the generator model.parameters() was already used "
            "(check with list(model.parameters()))")


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
    was_used_up = inspect.isgenerator(params) and \
        inspect.getgeneratorstate(params) == inspect.GEN_CLOSED
    entries = list(params)
    if not entries:
        raise ValueError(_no_parameters_message(owner, params, was_used_up))
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
    """Base class of SGD, Adam, Adagrad and RMSprop.

    Subclasses set ``hyperparameters`` = {name: rule}, a rule being a ``Rule``
    of tinynet/arguments.py or a function (owner, name, value) -> value, and
    write ``step()``. Hyper-parameters are checked whenever they are set, so a
    schedule that sets ``opt.lr = -0.1`` (or ``momentum = 1.5``) mid-training is
    refused as the constructor would refuse it.
    """

    hyperparameters = {}

    def __init__(self, params):
        self.params, self.names = parameter_list(type(self).__name__, params)
        self.state = [{} for _ in self.params]      # per parameter: its buffers, by name

    def __setattr__(self, name, value):
        rule = self.hyperparameters.get(name)
        if rule is not None:
            value = check_number(self, name, value, rule) if isinstance(rule, tuple) \
                else rule(self, name, value)
            settings = {key: getattr(self, key) for key in self.hyperparameters if hasattr(self, key)}
            self.check_settings({**settings, name: value})
        object.__setattr__(self, name, value)

    def check_settings(self, settings):
        """Refuse hyper-parameters that are valid alone but not together
        (SGD's nesterov without momentum). ``settings``: those set so far,
        with the one being set; nothing is stored if this raises."""

    def __repr__(self):
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters
                             if hasattr(self, name))          # all of them, once constructed
        return f"{type(self).__name__}({settings}; {len(self.params)} parameters)"

    def zero_grad(self):
        """Forget the gradients (``None``, like PyTorch's ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def gradients(self, weight_decay=0.0):
        """(i, p, g) for every parameter p that has a gradient, after checking
        all of them (so a bad one is refused before any parameter moves).

        ``weight_decay`` > 0 adds weight_decay * w to g: the gradient of
        (weight_decay / 2) * sum w^2, PyTorch's L2 term. ``g`` is then a new
        array; otherwise it is ``p.grad`` itself, which the caller must not modify.
        """
        self.check_gradients()
        for i, p in enumerate(self.params):
            if p.grad is None:          # not used in this forward pass
                continue
            g = p.grad
            if weight_decay:
                g = g + weight_decay * p.data
            yield i, p, g

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
        raise TypeError(f"{where} is {g.dtype} but the parameter is {p.data.dtype}; a gradient is "
                        "never cast, it must have its parameter's dtype. A gradient of another dtype "
                        "comes from an upstream gradient of that dtype handed to model.backward or "
                        f"layer.backward (e.g. a {g.dtype} dout for a {p.data.dtype} model: convert "
                        f"it with dout.astype(np.{p.data.dtype})), from a layer's backward that "
                        f"computes in {g.dtype}, or from a .grad set by hand")

    def count_step(self, i):
        """Parameter i's step number t, counted up: 1 at its first update. As
        in PyTorch, a step in which the parameter had no gradient is not counted."""
        t = self.state[i]["step"] = self.state[i].get("step", 0) + 1
        return t

    def buffer(self, i, name, initial=0.0):
        """Parameter i's buffer ``name`` (SGD's velocity, Adam's m and v, ...),
        of the parameter's shape and dtype, filled with ``initial`` at first use."""
        p, state = self.params[i], self.state[i]
        buf = state.get(name)
        if buf is None:
            buf = state[name] = np.full_like(p.data, initial)
        elif buf.shape != p.data.shape or buf.dtype != p.data.dtype:
            raise RuntimeError(f"{type(self).__name__}: {self.names[i]} is now {p.data.dtype} {p.data.shape} "
                               f"but its {name} buffer is {buf.dtype} {buf.shape}; the parameter changed "
                               "after the optimizer started (e.g. model.double() mid-training): "
                               "create a new optimizer after converting the model")
        return buf
