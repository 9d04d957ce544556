"""What every contestant of the benchmark shares: the networks it trains,
their initial weights, and the in-memory batches the steps are timed on.

Two workloads (``WORKLOADS``), each one SGD step with cross-entropy, lr 0.1:

* ``mlp``: the lecture's 784-100-100-100-100-10 ReLU MLP on flat images;
* ``cnn``: Deep Learning from Scratch's simple CNN on (N, 1, 28, 28) images,
  Conv2d(1, 30, 5) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(4320, 100)
  -> ReLU -> Linear(100, 10).

Weights are lists of (weight, bias) pairs, one per layer with parameters,
in PyTorch's layout, float64, so that every contestant starts from the
same values and their results can be compared.
"""
from typing import Callable, NamedTuple

import numpy as np

SIZES = (784, 100, 100, 100, 100, 10)
LR = 0.1
IMAGE = (1, 28, 28)
CNN_CHANNELS, CNN_KERNEL, CNN_POOL, CNN_HIDDEN, CLASSES = 30, 5, 2, 100, 10
CNN_FLAT = CNN_CHANNELS * ((IMAGE[1] - CNN_KERNEL + 1) // CNN_POOL) ** 2      # 4320


class Workload(NamedTuple):
    """A network to train: its name, its layers (built from tinynet's ``nn``
    or torch's ``torch.nn``, the same list for both), the shape of one input
    and the shapes of its parameters [(weight shape, bias size), ...]."""

    name: str
    layers: Callable
    input_shape: tuple
    parameter_shapes: list


def mlp_layers(nn):
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return layers


def cnn_layers(nn):
    return [nn.Conv2d(IMAGE[0], CNN_CHANNELS, CNN_KERNEL), nn.ReLU(), nn.MaxPool2d(CNN_POOL),
            nn.Flatten(), nn.Linear(CNN_FLAT, CNN_HIDDEN), nn.ReLU(), nn.Linear(CNN_HIDDEN, CLASSES)]


MLP = Workload("mlp", mlp_layers, (SIZES[0],),
               [((fan_out, fan_in), fan_out) for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:])])
CNN = Workload("cnn", cnn_layers, IMAGE,
               [((CNN_CHANNELS, IMAGE[0], CNN_KERNEL, CNN_KERNEL), CNN_CHANNELS),
                ((CNN_HIDDEN, CNN_FLAT), CNN_HIDDEN), ((CLASSES, CNN_HIDDEN), CLASSES)])
WORKLOADS = {workload.name: workload for workload in (MLP, CNN)}


def init_weights(seed=0, workload=MLP):
    """PyTorch-style default init (U(+-1/sqrt(fan_in)) for W and b, fan_in
    = every input of one output: in_features, or C kh kw), float64, in
    PyTorch's layout: [(W, b), ...]."""
    rng = np.random.default_rng(seed)
    weights = []
    for weight_shape, bias_size in workload.parameter_shapes:
        bound = 1.0 / np.sqrt(np.prod(weight_shape[1:]))
        weight = rng.uniform(-bound, bound, size=weight_shape)
        bias = rng.uniform(-bound, bound, size=bias_size)
        weights.append((weight, bias))
    return weights


def make_batches(batch_size, n_batches=8, seed=1, workload=MLP):
    """A small pool of in-memory batches: float32 in [0, 1) and int64 labels."""
    rng = np.random.default_rng(seed + batch_size)
    return [(rng.random((batch_size, *workload.input_shape), dtype=np.float32),
             rng.integers(0, CLASSES, batch_size, dtype=np.int64))
            for _ in range(n_batches)]


def max_abs_diff(weights_a, weights_b):
    """Largest absolute difference between two weight lists."""
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
               for pair_a, pair_b in zip(weights_a, weights_b) for a, b in zip(pair_a, pair_b))
