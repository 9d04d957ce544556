"""The framework-specific part of a run: a model with its loss and optimiser.

:func:`train.run <experiments.train.run>` is written once for both
frameworks; what differs lives in a small "learner" object with the same
methods in each: :class:`TinynetLearner` here, ``torch_backend.TorchLearner``
for PyTorch. Both receive the very same batches from the same DataLoader,
and the PyTorch model starts from the tinynet model's initial weights, so
the two frameworks can be compared run by run.
"""
import numpy as np

import tinynet as tn
from tinynet import nn, optim

from .models import eval_rows


def make_optimizer(params, config):
    """The tinynet optimizer of ``config`` over ``params``, with the
    optimizer's own defaults for everything but the learning rate."""
    if config.optimizer == "sgd":
        # l1/l2 > 0 turn SGD's gradient into that of L~ = L + l1*sum|w| + l2*sum w^2.
        return optim.SGD(params, lr=config.lr, momentum=config.momentum, nesterov=config.nesterov,
                         l1=config.l1, l2=config.l2, l1_mode=config.l1_mode)
    return {"adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
            "adam": optim.Adam}[config.optimizer](params, lr=config.lr)


def in_chunks(forward, x, rows):
    """forward(x), computed ``rows`` rows at a time (None: all at once)."""
    if rows is None or len(x) <= rows:
        return forward(x)
    return np.concatenate([forward(x[start:start + rows]) for start in range(0, len(x), rows)])


class TinynetLearner:
    """A tinynet model with its loss and optimiser.

    ``forward``, ``loss``, ``backward`` and ``update``, called in this order,
    are the lecture's inner loop, line for line.
    """

    framework = "tinynet"

    def __init__(self, model, config):
        self.model = model
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = make_optimizer(model.parameters(), config)
        self.eval_rows = eval_rows(config)

    def forward(self, x):
        """The logits of the batch x (recorded for backward)."""
        return self.model(x)

    def loss(self, logits, y):
        """The batch's mean cross-entropy L, a Python float."""
        return self.loss_fn(logits, y)

    def backward(self):
        """dL/dw of every parameter: the old gradients dropped, then the
        loss's gradient passed back through the model."""
        self.optimizer.zero_grad()
        self.model.backward(self.loss_fn.backward())

    def update(self):
        """One optimizer step (SGD: w <- w - lr * dL~/dw)."""
        self.optimizer.step()

    def penalty(self):
        """The current l1*sum|w| + l2*sum w^2 (0 without a penalty: only SGD has one)."""
        return self.optimizer.penalty() if isinstance(self.optimizer, optim.SGD) else 0.0

    def logits(self, x):
        """Forward pass without recording a backward tape, in the current mode
        (a whole split in chunks of ``eval_rows``, see models.eval_rows)."""
        with tn.no_grad():
            return in_chunks(self.model, x, self.eval_rows)

    def train(self):
        self.model.train()

    def eval(self):
        self.model.eval()

    def state_dict(self):
        return self.model.state_dict()

    def load_state_dict(self, state):
        self.model.load_state_dict(state)

    def connection_weights(self):
        """The penalised weights (Linear/DropConnect/Conv2d), as numpy arrays."""
        return [p.data for p in self.model.parameters() if p.penalized]


def make_learner(framework, model, config, seed):
    """The learner for ``framework``; PyTorch is imported only when asked for."""
    if framework == "tinynet":
        return TinynetLearner(model, config)
    if framework == "torch":
        from . import torch_backend     # lazy: tinynet runs never import torch
        return torch_backend.TorchLearner(model, config, seed)
    raise ValueError(f"unknown framework {framework!r}")
