"""Layers and models: every layer has a hand-written forward and backward."""
from . import init
from .activation import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d
from .combine import Add, Concat
from .containers import ModuleList, Sequential
from .dropconnect import DropConnect
from .dropout import Dropout
from .flatten import Flatten
from .layer import Layer
from .linear import Linear
from .loss import CrossEntropyLoss, Loss, MSELoss
from .module import Module
from .parameter import Parameter
from .tape import no_grad

__all__ = ["Add", "BatchNorm1d", "Concat", "CrossEntropyLoss", "DropConnect", "Dropout", "Flatten",
           "Layer", "init", "LeakyReLU", "Linear", "Loss", "MSELoss", "Module", "ModuleList", "Parameter",
           "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "no_grad"]
