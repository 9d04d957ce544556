"""Layers and models: every layer has a hand-written forward and backward."""
from . import init
from .activation import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .combine import Add, Concat
from .containers import ModuleList, Sequential
from .conv import Conv2d
from .dropconnect import DropConnect
from .dropout import Dropout
from .flatten import Flatten
from .layer import Layer
from .linear import Linear
from .loss import CrossEntropyLoss, Loss, MSELoss
from .module import Module
from .parameter import Parameter
from .pooling import AvgPool2d, MaxPool2d
from .tape import no_grad

__all__ = ["Add", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Concat", "Conv2d", "CrossEntropyLoss",
           "DropConnect", "Dropout", "Flatten", "Layer", "LeakyReLU", "Linear", "Loss", "MSELoss",
           "MaxPool2d", "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax",
           "Tanh", "init", "no_grad"]
