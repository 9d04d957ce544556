"""Optimizers: ``optim.SGD`` (the lecture's, with momentum and L1/L2) and
``optim.Adam`` (PyTorch's update). Both take ``model.parameters()`` or
``model.named_parameters()`` and are used as in PyTorch::

    opt.zero_grad(); model.backward(loss_fn.backward()); opt.step()
"""
from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD"]
