"""The contestants of ``python -m experiments.benchmark``.

Each contestant is one SGD training step of one of the networks of
network.py (the lecture's MLP, or the simple CNN): forward, loss, backward,
update.

* :class:`TinynetStep`  -- tinynet as the experiments use it (public API
  only), from whichever checkout's ``tinynet`` the process imports;
* :class:`TorchStep`    -- the same step in PyTorch eager;
* ``CeilingStep`` (ceiling.py) -- a minimal, hand-tuned NumPy step of the
  MLP's math: the speed a NumPy framework can hope for.

All share one interface::

    contestant = Contestant(weights, batch_size, lr=0.1, dtype=np.float32, workload=MLP)
    x, y = contestant.prepare(x, y)   # once, outside the timed loop
    loss = contestant.step(x, y)      # one training step, returns the loss
    contestant.weights()              # [(W, b), ...] in PyTorch's layout, as float64

``weights`` are given in PyTorch's layout as float64 arrays, so every
contestant starts from identical values and their results can be compared
(:func:`trained_weights`, :func:`equivalence_check`). This module imports
neither tinynet nor torch at the top: the benchmark's worker processes
(step_worker.py) import it next to another checkout's tinynet.
"""
import importlib

import numpy as np

from .ceiling import CeilingStep
from .network import LR, MLP, init_weights, make_batches, max_abs_diff


def _with_parameters(layers):
    """The positions of the layers holding a weight, in order."""
    return [i for i, layer in enumerate(layers) if getattr(layer, "weight", None) is not None]


class TorchStep:
    """The same step in PyTorch eager (nn.Sequential, CrossEntropyLoss, SGD)."""

    name = "torch"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32, workload=MLP):
        import torch
        self.torch = torch
        torch_dtype = {np.dtype(np.float32): torch.float32,
                       np.dtype(np.float64): torch.float64}[np.dtype(dtype)]
        self.dtype = np.dtype(dtype)
        self.model = torch.nn.Sequential(*workload.layers(torch.nn)).to(torch_dtype)
        self.trained = [self.model[i] for i in _with_parameters(self.model)]
        with torch.no_grad():
            for layer, (weight, bias) in zip(self.trained, weights):
                layer.weight.copy_(torch.from_numpy(np.asarray(weight, np.float64)))
                layer.bias.copy_(torch.from_numpy(np.asarray(bias, np.float64)))
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)

    def prepare(self, x, y):
        torch = self.torch
        return (torch.from_numpy(np.ascontiguousarray(x, dtype=self.dtype)),
                torch.from_numpy(np.asarray(y, dtype=np.int64)))

    def step(self, x, y):
        optimizer = self.opt
        optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def weights(self):
        return [(layer.weight.detach().numpy().astype(np.float64),
                 layer.bias.detach().numpy().astype(np.float64))
                for layer in self.trained]


class TinynetStep:
    """tinynet's real training step, exactly as the experiments write it.

    Public API only (model, loss_fn, SGD, ``model.backward(loss_fn.backward())``),
    so the benchmark keeps measuring what a student's loop does, whatever
    happens inside the layers -- and any checkout's tinynet can run it.
    """

    name = "tinynet"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32, workload=MLP):
        import tinynet as tn
        from tinynet import nn, optim
        self.dtype = np.dtype(dtype)
        tn.manual_seed(0)
        self.layers = workload.layers(nn)
        model = nn.Sequential(*self.layers)
        if self.dtype == np.float64:
            model.double()
        # state_dict keys of the layers with parameters: "<index in Sequential>.weight"
        self.trained = _with_parameters(self.layers)
        state = model.state_dict()
        new_state = {}
        for (weight, bias), index in zip(weights, self.trained):
            new_state[f"{index}.weight"] = np.asarray(weight).astype(state[f"{index}.weight"].dtype)
            new_state[f"{index}.bias"] = np.asarray(bias).astype(state[f"{index}.bias"].dtype)
        model.load_state_dict(new_state)
        self.model = model
        self.loss_fn = nn.CrossEntropyLoss()
        # the optimiser is made last, after every dtype change and load
        self.opt = optim.SGD(model.parameters(), lr=lr)

    def prepare(self, x, y):
        return np.ascontiguousarray(x, dtype=self.dtype), np.asarray(y, dtype=np.int64)

    def step(self, x, y):
        model, loss_fn, optimizer = self.model, self.loss_fn, self.opt
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        return loss

    def weights(self):
        state = self.model.state_dict()
        return [(np.asarray(state[f"{index}.weight"], np.float64),
                 np.asarray(state[f"{index}.bias"], np.float64))
                for index in self.trained]


ALL = {"tinynet": TinynetStep, "torch": TorchStep, "ceiling": CeilingStep}


def torch_missing():
    """Why PyTorch cannot be a contestant here, or None when it can."""
    try:
        importlib.import_module("torch")
    except ImportError as error:
        return (f"PyTorch is not installed ({error}); install it with "
                '`pip install -e ".[torch]"`')
    return None


def trained_weights(make, batch_size, dtype=np.float64, steps=1, seed=0, workload=MLP):
    """(losses, weights after ``steps`` steps) of ``make(weights, batch_size,
    dtype=dtype, workload=workload)``, from the workload's initial weights
    of ``seed`` and its batches of ``seed + 1``: the same for every contestant."""
    contestant = make(init_weights(seed, workload), batch_size, dtype=dtype, workload=workload)
    losses = [float(contestant.step(*contestant.prepare(x, y)))
              for x, y in make_batches(batch_size, n_batches=steps, seed=seed + 1, workload=workload)]
    return losses, contestant.weights()


def compare_weights(trained, reference, initial):
    """How far each label's weights (``trained``: {label: weights}) end from
    the reference's, and how far each moved from ``initial`` (a contestant
    that does not update at all must not pass)."""
    ref = trained.get(reference)
    diffs = {} if ref is None else {f"{label}_vs_{reference}": max_abs_diff(weights, ref)
                                    for label, weights in trained.items() if label != reference}
    update = {label: max_abs_diff(weights, initial) for label, weights in trained.items()}
    return {"max_abs_diff": diffs, "max_abs_update": update}


def equivalence_check(makers, batch_size=10, seed=0, workload=MLP, reference="ceiling",
                      dtype=np.float64, steps=1):
    """``steps`` steps of each contestant from identical weights and data,
    in this process.

    ``makers``: {label: callable(weights, batch_size, dtype, workload) ->
    contestant}; one of them is the ``reference`` every other label is
    compared with. Returns the losses, the max abs difference of each
    label's weights from the reference's, the size of each update, and the
    error of each label that failed.
    """
    losses, trained, errors = {}, {}, {}
    for label, make in makers.items():
        try:
            losses[label], trained[label] = trained_weights(make, batch_size, dtype, steps, seed,
                                                            workload)
        except Exception as error:  # noqa: BLE001 - reported, and the check fails
            errors[label] = f"{type(error).__name__}: {error}"
    return {"workload": workload.name, "batch_size": batch_size, "dtype": np.dtype(dtype).name,
            "steps": steps, "reference": reference, "losses": losses, "errors": errors,
            **compare_weights(trained, reference, init_weights(seed, workload))}
