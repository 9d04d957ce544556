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
  NumPy-level trick of tinynet's layers (listed in the class docstring).

All three share one interface::

    c = Contestant(weights, batch_size, lr=0.1, dtype=np.float32)
    xb, yb = c.prepare(x, y)       # once, outside the timed loop
    loss = c.step(xb, yb)          # one training step, returns the loss
    c.weights()                    # [(W (out, in), b (out,)), ...] as float64

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
        W = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        b = rng.uniform(-bound, bound, size=fan_out)
        weights.append((W, b))
    return weights


def max_abs_diff(wa, wb):
    """Largest absolute difference between two weight lists."""
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
               for pa, pb in zip(wa, wb) for a, b in zip(pa, pb))


# --------------------------------------------------------------------------
# The ceiling: hand-tuned NumPy
# --------------------------------------------------------------------------
class CeilingStep:
    """Hand-tuned NumPy SGD step: the speed a NumPy framework can hope for.

    Everything a framework cannot do, because it must leave its arrays to
    the user: every buffer is allocated once and written with ``out=``; the
    activations are changed in place; no input is checked. Plus every
    NumPy-level trick that tinynet's layers use, so that tinynet cannot
    pass the ceiling by arithmetic alone:

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
        dt = np.dtype(dtype)
        self.dtype = dt
        self.lr = np.array(lr, dtype=dt)
        self.W = [np.array(W, dtype=dt) for W, _ in weights]          # (out, in)
        self.b = [np.array(b, dtype=dt) for _, b in weights]
        self.gW = [np.empty_like(W) for W in self.W]
        self.gb = [np.empty_like(b) for b in self.b]
        self.sW = [np.empty_like(W) for W in self.W]
        self.sb = [np.empty_like(b) for b in self.b]
        n = batch_size
        # a[i]: output of layer i (ReLU applied in place for hidden layers,
        # logits for the last one)
        self.a = [np.empty((n, W.shape[0]), dt) for W in self.W]
        # d[i]: gradient w.r.t. the input of layer i (none for layer 0)
        self.d = [None] + [np.empty((n, W.shape[1]), dt) for W in self.W[1:]]
        self.above = [np.empty((n, W.shape[0]), bool) for W in self.W[:-1]]
        self.mask = [np.empty((n, W.shape[0]), dt) for W in self.W[:-1]]
        n_out = self.W[-1].shape[0]
        self.p = np.empty((n, n_out), dt)
        self.m = np.empty((n, 1), dt)
        self.s = np.empty(n, dt)
        self.log_s = np.empty(n, dt)
        self.row_start = np.arange(0, n * n_out, n_out)
        self.ones_n = np.ones(n, dt)
        self.ones_c = np.ones(n_out, dt)
        self.inv_n = np.array(1.0 / n, dtype=dt)
        self.zero = dt.type(0)
        self.params = list(zip(self.W, self.gW, self.sW)) + list(zip(self.b, self.gb, self.sb))

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
        W, b, a, above, mask, zero = self.W, self.b, self.a, self.above, self.mask, self.zero
        last = len(W) - 1
        h = x
        for i in range(last):
            out = a[i]
            dot(h, W[i].T, out=out)
            add(out, b[i], out=out)
            greater(out, zero, out=above[i])
            copyto(mask[i], above[i])            # the 0/1 ReLU mask, as floats
            multiply(out, mask[i], out=out)      # ReLU in place
            h = out
        z = a[last]
        dot(h, W[last].T, out=z)
        add(z, b[last], out=z)

    def loss_and_grad(self, y):
        """Mean cross-entropy of the logits; leaves (softmax - onehot) / N in self.p."""
        z, p, m, s, log_s = self.a[-1], self.p, self.m, self.s, self.log_s
        true_class = self.row_start + y          # flat index of z[n, y[n]]
        np.maximum.reduce(z, axis=1, keepdims=True, out=m)
        np.subtract(z, m, out=p)
        picked = p.take(true_class)              # shifted logit of the true class
        np.exp(p, out=p)
        np.dot(p, self.ones_c, out=s)            # row sums
        np.log(s, out=log_s)
        loss = float((np.dot(self.ones_n, log_s) - np.dot(self.ones_n, picked)) * self.inv_n)
        np.divide(p, s[:, None], out=p)
        p.put(true_class, p.take(true_class) - 1)
        np.multiply(p, self.inv_n, out=p)
        return loss

    def backward(self, x):
        dot = np.dot
        W, a, gW, gb, d, mask, ones = self.W, self.a, self.gW, self.gb, self.d, self.mask, self.ones_n
        g = self.p
        for i in range(len(W) - 1, 0, -1):
            hin = a[i - 1]
            dot(g.T, hin, out=gW[i])
            dot(ones, g, out=gb[i])              # bias gradient: G^T 1
            di = d[i]
            dot(g, W[i], out=di)
            np.multiply(di, mask[i - 1], out=di)  # ReLU derivative, mask from the forward
            g = di
        np.matmul(g.T, x, out=gW[0])             # first layer: no input gradient
        dot(ones, g, out=gb[0])

    def update(self):
        lr, multiply, subtract = self.lr, np.multiply, np.subtract
        for w, gw, sw in self.params:            # w -= lr * dw, in place
            multiply(gw, lr, out=sw)
            subtract(w, sw, out=w)

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
        tdt = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[np.dtype(dtype)]
        self.dtype = np.dtype(dtype)
        layers = []
        for i, (W, b) in enumerate(weights):
            lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.asarray(W, np.float64)))
                lin.bias.copy_(torch.from_numpy(np.asarray(b, np.float64)))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.linears = [m for m in self.model if isinstance(m, torch.nn.Linear)]
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)

    def prepare(self, x, y):
        t = self.torch
        return (t.from_numpy(np.ascontiguousarray(x, dtype=self.dtype)),
                t.from_numpy(np.asarray(y, dtype=np.int64)))

    def step(self, x, y):
        opt = self.opt
        opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def weights(self):
        return [(m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64))
                for m in self.linears]


# --------------------------------------------------------------------------
# tinynet
# --------------------------------------------------------------------------
class TinynetStep:
    """tinynet's real training step, exactly as the experiments write it."""

    name = "tinynet"

    def __init__(self, weights, batch_size, lr=LR, dtype=np.float32):
        import tinynet as tn
        from tinynet import nn, optim
        self.dtype = np.dtype(dtype)
        tn.manual_seed(0)
        layers = []
        for i, (W, _) in enumerate(weights):
            layers.append(nn.Linear(W.shape[1], W.shape[0]))
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        if self.dtype == np.float64:
            model.double()
        else:
            model.float()
        self.linear_idx = [i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear)]
        sd = model.state_dict()
        new = {}
        for (W, b), idx in zip(weights, self.linear_idx):
            kw, kb = f"{idx}.weight", f"{idx}.bias"
            W = np.asarray(W, np.float64)
            if sd[kw].shape != W.shape:          # tolerate an (in, out) layout
                W = W.T
            new[kw] = W.astype(sd[kw].dtype)
            new[kb] = np.asarray(b, np.float64).reshape(sd[kb].shape).astype(sd[kb].dtype)
        model.load_state_dict(new)
        self.model = model
        self.loss_fn = nn.CrossEntropyLoss()
        # the optimiser is made last, after every dtype change and load
        self.opt = optim.SGD(model.parameters(), lr=lr)

    def prepare(self, x, y):
        return np.ascontiguousarray(x, dtype=self.dtype), np.asarray(y, dtype=np.int64)

    def step(self, x, y):
        model, loss_fn, opt = self.model, self.loss_fn, self.opt
        logits = model(x)
        loss = loss_fn(logits, y)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()
        return loss

    def weights(self):
        sd = self.model.state_dict()
        out = []
        for idx, (fan_in, fan_out) in zip(self.linear_idx, zip(SIZES[:-1], SIZES[1:])):
            W = np.asarray(sd[f"{idx}.weight"], np.float64)
            if W.shape != (fan_out, fan_in):
                W = W.T
            out.append((W, np.asarray(sd[f"{idx}.bias"], np.float64).reshape(fan_out)))
        return out


ALL = {"tinynet": TinynetStep, "torch": TorchStep, "ceiling": CeilingStep}


def available(names):
    """Split contestant names into (importable, {name: reason it isn't})."""
    ok, missing = [], {}
    for name in names:
        mod = {"tinynet": "tinynet.nn", "torch": "torch"}.get(name)
        if mod is not None:
            try:
                __import__(mod)
                if name == "tinynet":
                    from tinynet import nn, optim  # noqa: F401
            except Exception as exc:  # ImportError, or a half-written core
                missing[name] = f"{type(exc).__name__}: {exc}"
                continue
        ok.append(name)
    return ok, missing


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
            c = ALL[name](weights, batch_size, dtype=np.float64)
            xb, yb = c.prepare(x, y)
            losses[name] = float(c.step(xb, yb))
            results[name] = c.weights()
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
    diffs = {}
    done = list(results)
    for i, a in enumerate(done):
        for b in done[i + 1:]:
            diffs[f"{a}_vs_{b}"] = max_abs_diff(results[a], results[b])
    update = {name: max_abs_diff(w, weights) for name, w in results.items()}
    return {"batch_size": batch_size, "dtype": "float64", "losses": losses,
            "max_abs_diff": diffs, "max_abs_update": update, "errors": errors,
            "max_abs_diff_overall": max(diffs.values()) if diffs else None}
