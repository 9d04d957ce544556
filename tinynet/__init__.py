"""tinynet: a from-scratch NumPy deep-learning mini-framework for learning backprop.

    import tinynet as tn
    from tinynet import nn, optim
"""
from . import gradcheck, nn, optim, random, testing
from .evaluate import accuracy, predict
from .nn.tape import no_grad
from .random import manual_seed
from .serialization import load, save

__version__ = "0.1.0"
__all__ = ["accuracy", "gradcheck", "load", "manual_seed", "nn", "no_grad", "optim", "predict",
           "random", "save", "testing"]
