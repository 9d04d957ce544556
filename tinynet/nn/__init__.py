"""Layers and models: every layer has a hand-written forward and backward."""
from .activation import ReLU
from .batchnorm import BatchNorm1d
from .combine import Add, Concat
from .dropconnect import DropConnect
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import CrossEntropyLoss
from .module import Layer, Loss, Module, ModuleList, Parameter, Sequential, no_grad

__all__ = ["Add", "BatchNorm1d", "Concat", "CrossEntropyLoss", "DropConnect", "Dropout", "Flatten",
           "Layer", "Linear", "Loss", "Module", "ModuleList", "Parameter", "ReLU", "Sequential",
           "no_grad"]
