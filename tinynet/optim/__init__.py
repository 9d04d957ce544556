"""Optimizers: ``optim.SGD`` (the lecture's, with momentum, Nesterov and L1/L2,
L1 also as a proximal step that reaches exact zeros), and PyTorch's
``optim.Adam``, ``optim.Adagrad`` and ``optim.RMSprop``, update for update.
All take ``model.parameters()`` or ``model.named_parameters()`` and are used
as in PyTorch::

    opt.zero_grad(); model.backward(loss_fn.backward()); opt.step()
"""
from .adagrad import Adagrad
from .adam import Adam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "Optimizer", "RMSprop", "SGD"]
