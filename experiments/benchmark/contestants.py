"""The three contestants of ``python -m experiments.benchmark``.

Each contestant is one SGD training step of the lecture's network, the
784-100-100-100-100-10 ReLU MLP with cross-entropy loss and plain SGD
(lr 0.1): forward, loss, backward, update.

* :class:`TinynetStep`  -- tinynet as the experiments use it
  (``model(x)``, ``loss_fn(...)``, ``opt.zero_grad()``, ``model.backward(...)``,
  ``opt.step()``);
* :class:`TorchStep`    -- the same step in PyTorch eager;
* :class:`CeilingStep`  -- a minimal, hand-tuned NumPy step of the same math:
  preallocated buffers, ``out=`` arguments, a fused softmax + cross-entropy
  backward, an in-place update, no input gradient for the first layer
  (the data needs none; PyTorch doesn't compute it either), and every
  NumPy-level speed trick (listed in the class docstring).

All three share one interface::

    contestant = Contestant(weights, batch_size, lr=0.1, dtype=np.float32)
    x, y = contestant.prepare(x, y)   # once, outside the timed loop
    loss = contestant.step(x, y)      # one training step, returns the loss
    contestant.weights()              # [(W (out, in), b (out,)), ...] as float64

``weights`` are given in PyTorch's layout, ``W`` of shape (out, in), as a
list of float64 arrays, so the three can be started from identical values
and their results compared (see :func:`equivalence_check`).
"""
import numpy as np

SIZES = (784, 100, 100, 100, 100, 10)
LR = 0.1


def init_weights(seed=0, sizes=SIZES):
    """PyTorch-style default init (U(+-1/sqrt(fan_in)) for W and b), float64."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        bias = rng.uniform(-bound, bound, size=fan_out)
        weights.append((weight, bias))
    return weights


def max_abs_diff(weights_a, weights_b):
    """Largest absolute difference between two weight lists."""
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
               for pair_a, pair_b in zip(weights_a, weights_b) for a, b in zip(pair_a, pair_b))


# --------------------------------------------------------------------------
# The ceiling: hand-tuned NumPy
# --------------------------------------------------------------------------
class CeilingStep:
    """Hand-tuned NumPy SGD step: the speed a NumPy framework can hope for.

    Everything a framework cannot do, because it must leave its arrays to
    the user: every buffer is allocated once and written with ``out=``; the
    activations are changed in place; no input is checked. Plus every
    NumPy-level speed trick, including those tinynet's textbook layers
    leave out for readability (docs/performance.md), so the ceiling stays
    an upper bound:

    * weights in PyTorch's (out, in) layout: ``x @ W.T`` and ``G.T @ x``
      are the fastest forms for the large first layer;
    * the weight gradient of the first layer by ``np.matmul``, which, unlike
      ``np.dot``, does not zero-fill its output before BLAS overwrites it;
    * ReLU through a 0/1 mask in the activations' dtype (float * float is
      cheaper than float * bool), made in the forward pass and reused;
    * bias gradients and the softmax's row sums as matrix-vector products
      with a vector of ones, cheaper than reductions on small arrays;
    * the true classes by one flat index (``take``/``put``), cheaper than
      fancy indexing with (rows, labels);
    * lr as a 0-d array of the parameters' dtype (a Python float is
      converted on every operation);
    * a fused softmax + cross-entropy backward, ``(softmax(z) - onehot(y)) / N``.

    Gradients land in their own buffers (as in a framework, where they stay
    inspectable after the step) and the update is ``W -= lr * dW`` through
    one scratch buffer per parameter.
    """

    name = "ceiling"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        dtype = np.dtype(dtype)
        self.dtype = dtype
        self.lr = np.array(lr, dtype=dtype)
        self.W = [np.array(W, dtype=dtype) for W, _ in weights]          # (out, in)
        self.b = [np.array(b, dtype=dtype) for _, b in weights]
        self.weight_grads = [np.empty_like(W) for W in self.W]
        self.bias_grads = [np.empty_like(b) for b in self.b]
        self.weight_scratch = [np.empty_like(W) for W in self.W]
        self.bias_scratch = [np.empty_like(b) for b in self.b]
        n = batch_size
        # activations[i]: output of layer i (ReLU applied in place for hidden
        # layers, the logits for the last one)
        self.activations = [np.empty((n, W.shape[0]), dtype) for W in self.W]
        # input_grads[i]: gradient w.r.t. the input of layer i (none for layer 0)
        self.input_grads = [None] + [np.empty((n, W.shape[1]), dtype) for W in self.W[1:]]
        self.positive = [np.empty((n, W.shape[0]), bool) for W in self.W[:-1]]
        self.relu_masks = [np.empty((n, W.shape[0]), dtype) for W in self.W[:-1]]
        n_classes = self.W[-1].shape[0]
        self.probs = np.empty((n, n_classes), dtype)
        self.row_max = np.empty((n, 1), dtype)
        self.row_sums = np.empty(n, dtype)
        self.log_row_sums = np.empty(n, dtype)
        self.row_start = np.arange(0, n * n_classes, n_classes)
        self.ones_batch = np.ones(n, dtype)
        self.ones_classes = np.ones(n_classes, dtype)
        self.inv_n = np.array(1.0 / n, dtype=dtype)
        self.zero = dtype.type(0)
        self.params = (list(zip(self.W, self.weight_grads, self.weight_scratch))
                       + list(zip(self.b, self.bias_grads, self.bias_scratch)))

    def prepare(self, x, y):
        return np.ascontiguousarray(x, dtype=self.dtype), np.asarray(y, dtype=np.int64)

    def step(self, x, y):
        self.forward(x)
        loss = self.loss_and_grad(y)
        self.backward(x)
        self.update()
        return loss

    # The four phases, separate so that the benchmark's --profile can time
    # each; a call costs ~0.1 us, nothing next to the ~150 us of a step.
    def forward(self, x):
        dot, add, multiply, greater, copyto = np.dot, np.add, np.multiply, np.greater, np.copyto
        W, b, activations, zero = self.W, self.b, self.activations, self.zero
        positive, relu_masks = self.positive, self.relu_masks
        last = len(W) - 1
        hidden = x
        for i in range(last):
            out = activations[i]
            dot(hidden, W[i].T, out=out)
            add(out, b[i], out=out)
            greater(out, zero, out=positive[i])
            copyto(relu_masks[i], positive[i])   # the 0/1 ReLU mask, as floats
            multiply(out, relu_masks[i], out=out)  # ReLU in place
            hidden = out
        logits = activations[last]
        dot(hidden, W[last].T, out=logits)
        add(logits, b[last], out=logits)

    def loss_and_grad(self, y):
        """Mean cross-entropy of the logits; leaves (softmax - onehot) / N in self.probs."""
        logits, probs, row_sums = self.activations[-1], self.probs, self.row_sums
        true_class = self.row_start + y          # flat index of logits[n, y[n]]
        np.maximum.reduce(logits, axis=1, keepdims=True, out=self.row_max)
        np.subtract(logits, self.row_max, out=probs)
        picked = probs.take(true_class)          # shifted logit of the true class
        np.exp(probs, out=probs)
        np.dot(probs, self.ones_classes, out=row_sums)
        np.log(row_sums, out=self.log_row_sums)
        loss = float((np.dot(self.ones_batch, self.log_row_sums)
                      - np.dot(self.ones_batch, picked)) * self.inv_n)
        np.divide(probs, row_sums[:, None], out=probs)
        probs.put(true_class, probs.take(true_class) - 1)
        np.multiply(probs, self.inv_n, out=probs)
        return loss

    def backward(self, x):
        dot, W, ones = np.dot, self.W, self.ones_batch
        activations, relu_masks, input_grads = self.activations, self.relu_masks, self.input_grads
        weight_grads, bias_grads = self.weight_grads, self.bias_grads
        grad = self.probs
        for i in range(len(W) - 1, 0, -1):
            dot(grad.T, activations[i - 1], out=weight_grads[i])
            dot(ones, grad, out=bias_grads[i])             # bias gradient: G^T 1
            input_grad = input_grads[i]
            dot(grad, W[i], out=input_grad)
            np.multiply(input_grad, relu_masks[i - 1], out=input_grad)   # ReLU derivative
            grad = input_grad
        np.matmul(grad.T, x, out=weight_grads[0])          # first layer: no input gradient
        dot(ones, grad, out=bias_grads[0])

    def update(self):
        lr, multiply, subtract = self.lr, np.multiply, np.subtract
        for param, grad, scratch in self.params:              # param -= lr * grad, in place
            multiply(grad, lr, out=scratch)
            subtract(param, scratch, out=param)

    def weights(self):
        return [(W.astype(np.float64), b.astype(np.float64)) for W, b in zip(self.W, self.b)]


# --------------------------------------------------------------------------
# PyTorch eager
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# tinynet
# --------------------------------------------------------------------------
class TinynetStep:
    """tinynet's real training step, exactly as the experiments write it.

    Public API only (model, loss_fn, SGD, ``model.backward(loss_fn.backward())``),
    so the benchmark keeps measuring what a student's loop does, whatever
    happens inside the layers.
    """

    name = "tinynet"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        import tinynet as tn
        from tinynet import nn, optim
        self.dtype = np.dtype(dtype)
        tn.manual_seed(0)
        layers = []
        for index, (weight, _) in enumerate(weights):
            layers.append(nn.Linear(weight.shape[1], weight.shape[0]))
            if index < len(weights) - 1:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        if self.dtype == np.float64:
            model.double()
        # state_dict keys of the Linear layers: "<index in Sequential>.weight"
        self.linear_indices = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear)]
        state = model.state_dict()
        new_state = {}
        for (weight, bias), index in zip(weights, self.linear_indices):
            # tinynet stores W as (out, in), like PyTorch
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


def available(names):
    """Split contestant names into (usable, {name: why not}).

    tinynet and the ceiling need only NumPy; PyTorch is an extra
    (``pip install -e ".[torch]"``).
    """
    usable, missing = [], {}
    for name in names:
        if name == "torch":
            try:
                import torch  # noqa: F401
            except ImportError as error:
                missing[name] = (f"PyTorch is not installed ({error}); install it with "
                                 '`pip install -e ".[torch]"`')
                continue
        usable.append(name)
    return usable, missing


def equivalence_check(names, batch_size=10, seed=0):
    """One float64 step of each contestant from identical weights and data.

    Returns the losses, the pairwise max abs differences of the updated
    weights, and the size of the update itself (so a contestant that does
    not update at all cannot pass)."""
    weights = init_weights(seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.random((batch_size, SIZES[0]))
    y = rng.integers(0, SIZES[-1], batch_size).astype(np.int64)
    results, losses, errors = {}, {}, {}
    for name in names:
        try:
            contestant = ALL[name](weights, batch_size, dtype=np.float64)
            losses[name] = float(contestant.step(*contestant.prepare(x, y)))
            results[name] = contestant.weights()
        except Exception as error:  # noqa: BLE001 - reported, and the check fails
            errors[name] = f"{type(error).__name__}: {error}"
    diffs = {}
    done = list(results)
    for i, first in enumerate(done):
        for second in done[i + 1:]:
            diffs[f"{first}_vs_{second}"] = max_abs_diff(results[first], results[second])
    update = {name: max_abs_diff(updated, weights) for name, updated in results.items()}
    return {"batch_size": batch_size, "dtype": "float64", "losses": losses,
            "max_abs_diff": diffs, "max_abs_update": update, "errors": errors,
            "max_abs_diff_overall": max(diffs.values()) if diffs else None}
