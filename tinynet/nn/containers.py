"""Containers that hold modules in order: ``Sequential`` and ``ModuleList``."""
from .module import Module


class _Ordered(Module):
    """Child modules named "0", "1", ... as in PyTorch, in the order they were set.

    The attributes are the one record of the children: ``seq[1]``,
    ``getattr(seq, "1")``, iteration, ``forward`` and ``state_dict`` all read
    them, so replacing one (``seq[1] = layer`` or ``setattr(seq, "1", layer)``)
    replaces it everywhere.
    """

    def __init__(self):
        super().__init__()
        self._children = ()

    def __setattr__(self, name, value):
        replaced = isinstance(vars(self).get(name), Module)
        super().__setattr__(name, value)
        if replaced or isinstance(value, Module):
            super().__setattr__("_children", tuple(self.children()))

    def __delattr__(self, name):
        super().__delattr__(name)
        super().__setattr__("_children", tuple(self.children()))

    def _check(self, module, position):
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} takes modules (layers or models), got "
                            f"{type(module).__name__} at position {position}")
        return module

    def __len__(self):
        return len(self._children)

    def __iter__(self):
        return iter(self._children)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return type(self)(*self._children[i]) if isinstance(self, Sequential) \
                else ModuleList(self._children[i])
        return self._children[i]

    def __setitem__(self, i, module):
        i = range(len(self._children))[i]          # IndexError as for a list, negative indices too
        name = list(dict(self.named_children()))[i]
        setattr(self, name, self._check(module, i))


class Sequential(_Ordered):
    """Modules applied one after another: ``Sequential(fc1, relu, fc2)(x)``.

    Submodules are named "0", "1", ... as in PyTorch, so state_dict keys
    read ``0.weight``, ``2.bias``, ...
    """

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), self._check(module, i))

    def forward(self, x):
        for module in self._children:
            x = module(x)
        return x


class ModuleList(_Ordered):
    """A list of modules that the model sees, as ``torch.nn.ModuleList``.

    A plain Python list of layers is invisible to ``parameters()``,
    ``state_dict()`` and the optimizer; a ModuleList registers each entry
    under its index, so ``self.layers = nn.ModuleList([...])`` gives the
    state_dict keys ``layers.0.weight``, ``layers.1.bias``, ... It has no
    forward: iterate over it in your model's forward.
    """

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def append(self, module):
        setattr(self, str(len(self)), self._check(module, len(self)))
        return self

    def extend(self, modules):
        if isinstance(modules, Module):
            raise TypeError("ModuleList.extend takes an iterable of modules, got a single "
                            f"{type(modules).__name__}; use append")
        for module in modules:
            self.append(module)
        return self

    def forward(self, *inputs):
        raise TypeError("ModuleList has no forward: iterate over it in your model's forward "
                        "(for layer in self.layers: x = layer(x))")
