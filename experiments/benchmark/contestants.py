"""The contestants of ``python -m experiments.benchmark``.

Each contestant is one SGD training step of the lecture's network (see
network.py): forward, loss, backward, update.

* :class:`TinynetStep`  -- tinynet as the experiments use it (public API
  only), from whichever checkout's ``tinynet`` the process imports;
* :class:`TorchStep`    -- the same step in PyTorch eager;
* ``CeilingStep`` (ceiling.py) -- a minimal, hand-tuned NumPy step of the
  same math: the speed a NumPy framework can hope for.

All share one interface::

    contestant = Contestant(weights, batch_size, lr=0.1, dtype=np.float32)
    x, y = contestant.prepare(x, y)   # once, outside the timed loop
    loss = contestant.step(x, y)      # one training step, returns the loss
    contestant.weights()              # [(W (out, in), b (out,)), ...] as float64

``weights`` are given in PyTorch's layout as float64 arrays, so every
contestant starts from identical values and their results can be compared
(:func:`equivalence_check`). This module imports neither tinynet nor torch
at the top: the benchmark's worker processes (step_worker.py) import it
next to another checkout's tinynet.
"""
import numpy as np

from .ceiling import CeilingStep
from .network import LR, SIZES, init_weights, max_abs_diff


class TorchStep:
    """The same step in PyTorch eager (nn.Sequential, CrossEntropyLoss, SGD)."""

    name = "torch"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        import torch
        self.torch = torch
        torch_dtype = {np.dtype(np.float32): torch.float32,
                       np.dtype(np.float64): torch.float64}[np.dtype(dtype)]
        self.dtype = np.dtype(dtype)
        layers = []
        for index, (weight, bias) in enumerate(weights):
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch_dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.asarray(weight, np.float64)))
                linear.bias.copy_(torch.from_numpy(np.asarray(bias, np.float64)))
            layers.append(linear)
            if index < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
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
        return [(linear.weight.detach().numpy().astype(np.float64),
                 linear.bias.detach().numpy().astype(np.float64))
                for linear in self.linears]


class TinynetStep:
    """tinynet's real training step, exactly as the experiments write it.

    Public API only (model, loss_fn, SGD, ``model.backward(loss_fn.backward())``),
    so the benchmark keeps measuring what a student's loop does, whatever
    happens inside the layers -- and any checkout's tinynet can run it.
    """

    name = "tinynet"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        import tinynet as tn
        from tinynet import nn, optim
        self.dtype = np.dtype(dtype)
        tn.manual_seed(0)
        self.layers = []
        for index, (weight, _) in enumerate(weights):
            self.layers.append(nn.Linear(weight.shape[1], weight.shape[0]))
            if index < len(weights) - 1:
                self.layers.append(nn.ReLU())
        model = nn.Sequential(*self.layers)
        if self.dtype == np.float64:
            model.double()
        # state_dict keys of the Linear layers: "<index in Sequential>.weight"
        self.linear_indices = [i for i, layer in enumerate(self.layers)
                               if isinstance(layer, nn.Linear)]
        state = model.state_dict()
        new_state = {}
        for (weight, bias), index in zip(weights, self.linear_indices):
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
                for index in self.linear_indices]


ALL = {"tinynet": TinynetStep, "torch": TorchStep, "ceiling": CeilingStep}


def torch_missing():
    """Why PyTorch cannot be a contestant here, or None when it can."""
    try:
        import torch  # noqa: F401
    except ImportError as error:
        return (f"PyTorch is not installed ({error}); install it with "
                '`pip install -e ".[torch]"`')
    return None


def equivalence_check(makers, batch_size=10, seed=0):
    """One float64 step of each contestant from identical weights and data.

    ``makers``: {label: callable(weights, batch_size, dtype) -> contestant};
    one of them must be the ceiling, the reference every other label is
    compared with. Returns the losses, the max abs difference of each
    label's updated weights from the ceiling's, and the size of each update
    (so a contestant that does not update at all cannot pass).
    """
    weights = init_weights(seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.random((batch_size, SIZES[0]))
    y = rng.integers(0, SIZES[-1], batch_size).astype(np.int64)
    results, losses, errors = {}, {}, {}
    for label, make in makers.items():
        try:
            contestant = make(weights, batch_size, dtype=np.float64)
            losses[label] = float(contestant.step(*contestant.prepare(x, y)))
            results[label] = contestant.weights()
        except Exception as error:  # noqa: BLE001 - reported, and the check fails
            errors[label] = f"{type(error).__name__}: {error}"
    reference = results.get("ceiling")
    diffs = {} if reference is None else {
        f"{label}_vs_ceiling": max_abs_diff(updated, reference)
        for label, updated in results.items() if label != "ceiling"}
    update = {label: max_abs_diff(updated, weights) for label, updated in results.items()}
    return {"batch_size": batch_size, "dtype": "float64", "losses": losses,
            "max_abs_diff": diffs, "max_abs_update": update, "errors": errors}
