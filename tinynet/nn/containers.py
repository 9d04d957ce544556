"""Containers that hold layers: ``Sequential`` and ``ModuleList``."""
from .module import Module


def _check_module(container, module, position):
    if not isinstance(module, Module):
        raise TypeError(f"{container} takes modules (layers or models), got "
                        f"{type(module).__name__} at position {position}")
    return module


class Sequential(Module):
    """Layers applied one after another: ``Sequential(fc1, relu, fc2)(x)``.

    Submodules are named "0", "1", ... as in PyTorch, so state_dict keys
    read ``0.weight``, ``2.bias``, ...
    """

    def __init__(self, *modules):
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), _check_module("Sequential", module, i))
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


class ModuleList(Module):
    """A list of modules that the model sees, as ``torch.nn.ModuleList``.

    A plain Python list of layers is invisible to ``parameters()``,
    ``state_dict()`` and the optimizer; a ModuleList registers each entry
    under its index, so ``self.layers = nn.ModuleList([...])`` gives the
    state_dict keys ``layers.0.weight``, ``layers.1.bias``, ... It has no
    forward: iterate over it in your model's forward.
    """

    def __init__(self, modules=()):
        super().__init__()
        self._list = []
        self.extend(modules)

    def append(self, module):
        _check_module("ModuleList", module, len(self._list))
        setattr(self, str(len(self._list)), module)
        self._list.append(module)
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

    def __len__(self):
        return len(self._list)

    def __iter__(self):
        return iter(self._list)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return ModuleList(self._list[i])
        return self._list[i]

    def __setitem__(self, i, module):
        i = range(len(self._list))[i]               # IndexError as for a list, negative indices too
        setattr(self, str(i), _check_module("ModuleList", module, i))
        self._list[i] = module
