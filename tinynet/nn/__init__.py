"""Layers and models: every layer has a hand-written forward and backward."""
from .activation import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d
from .dropconnect import DropConnect
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import CrossEntropyLoss, MSELoss
from .module import Layer, Module, Parameter, Sequential, no_grad

__all__ = ["BatchNorm1d", "CrossEntropyLoss", "DropConnect", "Dropout", "Flatten", "Layer",
           "LeakyReLU", "Linear", "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid",
           "Softmax", "Tanh", "no_grad"]
