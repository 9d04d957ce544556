"""The same experiments in PyTorch, to put tinynet's numbers beside PyTorch's.

Only this module imports torch, and only when ``--framework torch`` asks
for it (learner.make_learner imports it lazily): tinynet itself never does.

What is the same as the tinynet run of a seed:
  * the data and every batch -- train.run feeds both frameworks from the
    same tinynet DataLoader, whose shuffling permutations come from
    tinynet's seeded numpy generator;
  * the initial weights -- the torch twin loads the tinynet model's
    state_dict before the first step;
  * the architecture (built from the same models.layer_plan, so even the
    state_dict keys match: the MLPs and the CNN), the loss, the optimizer
    and its hyper-parameters (SGD's lr, momentum, Nesterov and the L1/L2
    penalty added to the loss, or L1's proximal step; Adagrad, RMSprop and
    Adam with their defaults, which tinynet's share).
What differs: dropout and DropConnect masks come from torch's own
generator (seeded with ``torch.manual_seed(seed)``), so stochastic models
follow different (equally valid) random paths; and float32 rounding in the
two BLAS libraries differs in the last bits, which over many epochs lets
even deterministic runs drift apart a little. So compare means over seeds,
not single runs.
"""
from __future__ import annotations

import numpy as np

from .learner import in_chunks
from .models import eval_rows, layer_plan

try:
    import torch
except ImportError:          # reported when a torch run is requested, not at import
    torch = None


MISSING_TORCH = ('--framework torch needs PyTorch, which is not installed: '
                 'pip install -e ".[torch]"')


def require_torch():
    """Raise a clear error (for the CLI to show) when PyTorch is missing."""
    if torch is None:
        raise RuntimeError(MISSING_TORCH)
    return torch


if torch is not None:
    class TorchDropConnect(torch.nn.Linear):
        """DropConnect with tinynet's exact semantics (see tinynet.nn.DropConnect):
        one Bernoulli(1-p)/(1-p) mask over the weight matrix per forward call,
        shared by the batch; the bias is never dropped; plain weights in eval."""

        def __init__(self, in_features, out_features, p):
            super().__init__(in_features, out_features)
            self.p = p

        def forward(self, x):
            weight = self.weight
            if self.training and self.p > 0:
                keep = torch.rand_like(weight) >= self.p
                weight = weight * keep.to(weight.dtype) / (1.0 - self.p)
            return torch.nn.functional.linear(x, weight, self.bias)

    class TorchLectureBatchNormMLP(torch.nn.Module):
        """The lecture's model as the lecture wrote it: one shared BatchNorm1d."""

        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(784, 100)
            self.fc2 = torch.nn.Linear(100, 100)
            self.fc3 = torch.nn.Linear(100, 100)
            self.fc4 = torch.nn.Linear(100, 100)
            self.fc5 = torch.nn.Linear(100, 10)
            self.relu = torch.nn.ReLU()
            self.bn = torch.nn.BatchNorm1d(100)

        def forward(self, x):
            y = self.relu(self.bn(self.fc1(x)))
            y = self.relu(self.bn(self.fc2(y)))
            y = self.relu(self.bn(self.fc3(y)))
            y = self.relu(self.bn(self.fc4(y)))
            return self.fc5(y)

    _TORCH_LAYERS = {
        "linear": lambda fan_in, fan_out: torch.nn.Linear(fan_in, fan_out),
        "dropconnect": lambda fan_in, fan_out, p: TorchDropConnect(fan_in, fan_out, p),
        "batchnorm": lambda channels: torch.nn.BatchNorm1d(channels),
        "relu": lambda: torch.nn.ReLU(),
        "sigmoid": lambda: torch.nn.Sigmoid(),
        "dropout": lambda p: torch.nn.Dropout(p),
        "conv": lambda channels, filters, kernel: torch.nn.Conv2d(channels, filters, kernel),
        "maxpool": lambda kernel: torch.nn.MaxPool2d(kernel),
        "flatten": lambda: torch.nn.Flatten(),
    }


def build_torch_model(config):
    """The PyTorch twin of models.build_model(config)."""
    require_torch()
    if config.batchnorm == "shared":
        return TorchLectureBatchNormMLP()
    return torch.nn.Sequential(*(_TORCH_LAYERS[kind](*args) for kind, *args in layer_plan(config)))


def make_torch_optimizer(params, config):
    """The torch.optim twin of learner.make_optimizer(params, config); the
    L1 term is not the optimizer's (TorchLearner adds it to the loss, or
    takes its proximal step)."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                               nesterov=config.nesterov)
    return {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
            "adam": torch.optim.Adam}[config.optimizer](params, lr=config.lr)


def _tensor(array):
    """numpy -> torch without copying when possible (read-only arrays are copied)."""
    return torch.from_numpy(array) if array.flags.writeable else torch.tensor(array)


class TorchLearner:
    """The PyTorch version of learner.TinynetLearner (same methods)."""

    framework = "torch"

    def __init__(self, tinynet_model, config, seed):
        require_torch()
        torch.set_num_threads(1)           # one job per core, as for tinynet
        torch.manual_seed(seed)            # dropout / DropConnect masks
        self.model = build_torch_model(config)
        # Start from exactly the tinynet model's initial weights.
        self.load_state_dict(tinynet_model.state_dict())
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = make_torch_optimizer(self.model.parameters(), config)
        self.l1, self.l2, self.lr = config.l1, config.l2, config.lr
        self.proximal = config.l1_mode == "proximal"
        self.eval_rows = eval_rows(config)
        self.weights = [m.weight for m in self.model.modules()
                        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]

    def _penalty(self, l1=True):
        """l1*sum|w| + l2*sum w^2 over the connection weights, as a tensor --
        added to the loss, autograd gives the same gradient as tinynet's SGD.
        ``l1=False``: the L2 term only (the proximal step handles L1)."""
        total = torch.zeros(())
        if self.l1 and l1:
            total = total + self.l1 * sum(w.abs().sum() for w in self.weights)
        if self.l2:
            total = total + self.l2 * sum((w * w).sum() for w in self.weights)
        return total

    def forward(self, x):
        return self.model(_tensor(x))

    def loss(self, logits, y):
        """The batch's mean cross-entropy as a float; the objective L~ (with
        the penalty) is kept for backward."""
        loss = self.loss_fn(logits, _tensor(y))
        smooth = self._penalty(l1=not self.proximal)
        self._objective = loss + smooth if (self.l1 or self.l2) else loss
        return loss.item()

    def backward(self):
        self.optimizer.zero_grad()
        self._objective.backward()

    def update(self):
        self.optimizer.step()
        if self.proximal:           # soft-thresholding, as tinynet's SGD(l1_mode="proximal")
            with torch.no_grad():
                threshold = self.lr * self.l1
                for w in self.weights:
                    w.copy_(torch.sign(w) * torch.clamp(w.abs() - threshold, min=0))

    def penalty(self):
        with torch.no_grad():
            return float(self._penalty())

    def logits(self, x):
        with torch.no_grad():
            return in_chunks(lambda rows: self.model(_tensor(rows)).numpy(), x, self.eval_rows)

    def train(self):
        self.model.train()

    def eval(self):
        self.model.eval()

    def state_dict(self):
        return {k: v.detach().numpy().copy() for k, v in self.model.state_dict().items()}

    def load_state_dict(self, state):
        self.model.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in state.items()})

    def connection_weights(self):
        return [w.detach().numpy() for w in self.weights]
