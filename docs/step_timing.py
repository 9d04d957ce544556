"""Time one training step of the lecture's MLP, for docs/performance.md.

The lecture's workload: 784-100-100-100-100-10 ReLU MLP, float32, batch 10,
cross-entropy, SGD lr 0.1 (the step ``python -m experiments.benchmark``
times). Each measurement runs in a fresh subprocess with one BLAS thread;
configurations alternate round by round, and the figure is the median, so
a busy neighbour on a shared machine hurts every configuration alike. The
clock is the thread's CPU time (one BLAS thread), not the wall clock, so
time slices lost to other processes do not count.

A configuration is ``label=PYTHONPATH:variant``. A variant re-introduces
one speed trick into the textbook code (or removes one design choice), so
its cost or worth is measured against ``base``::

    OPENBLAS_NUM_THREADS=1 python docs/step_timing.py --rounds 9 \\
        previous=PREVIOUS:base new=.:base new-float-mask=.:float_mask torch=.:torch

Variants: base, float_mask, bias_ones, np_dot, flat_index_loss, always_dx,
bias_add_copy, lr_array, float64, phases; the step without one of its
checks (no_label_check, no_grad_check, no_input_check) or without the tape
(direct: every layer's forward and backward called by hand), to measure
what each costs; and two other steps of the same math: torch (PyTorch
eager) and ceiling (the benchmark's hand-tuned NumPy step, run with the
PYTHONPATH given).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = (784, 100, 100, 100, 100, 10)


def _patch(variant):
    """Re-introduce one trick into the (new) layers; returns a loss class."""
    from tinynet import nn
    loss_cls = nn.CrossEntropyLoss
    if variant == "float_mask":
        def forward(self, x):
            mask = (x > 0).astype(x.dtype)
            return x * mask, mask
        nn.ReLU.forward = forward
    elif variant in ("bias_ones", "np_dot", "always_dx", "bias_add_copy"):
        ones_cache = {}

        def backward(self, dout, cache, need_dx=True):
            x = cache
            self.weight.accumulate_grad(dout.T @ x)
            if variant == "bias_ones":
                key = (len(dout), dout.dtype)
                if key not in ones_cache:
                    ones_cache[key] = np.ones(len(dout), dout.dtype)
                self.bias.accumulate_grad(np.dot(ones_cache[key], dout))
            else:
                self.bias.accumulate_grad(dout.sum(axis=0))
            if not need_dx and variant != "always_dx":
                return None
            return np.dot(dout, self.weight.data) if variant == "np_dot" else dout @ self.weight.data
        nn.Linear.backward = backward
        if variant in ("np_dot", "bias_add_copy"):
            def forward(self, x):
                self._check_features(x, self.in_features, self.weight.data.dtype)
                if variant == "np_dot":
                    y = np.dot(x, self.weight.data.T)
                    y += self.bias.data
                else:
                    y = x @ self.weight.data.T + self.bias.data
                return y, x
            nn.Linear.forward = forward
    elif variant == "flat_index_loss":
        class Patched(nn.CrossEntropyLoss):
            def forward(self, input, target):
                z, y = input, target
                N, C = z.shape
                true_class = np.ravel_multi_index((np.arange(N), y), (N, C))
                shifted = z - z.max(axis=1, keepdims=True)
                exp = np.exp(shifted)
                sum_exp = exp.sum(axis=1)
                log_p_true = shifted.take(true_class) - np.log(sum_exp)
                loss = float(-log_p_true.sum() / N)
                if not np.isfinite(loss):
                    raise FloatingPointError("non-finite")
                return loss, (exp, sum_exp, true_class)

            def backward(self, dout, cache):
                exp, sum_exp, true_class = cache
                p = exp / sum_exp[:, None]
                p.put(true_class, p.take(true_class) - 1.0)
                p *= dout / len(sum_exp)
                return p
        loss_cls = Patched
    elif variant == "lr_array":         # lr as a 0-d array of the parameter's dtype, not a Python float
        from tinynet.optim import SGD
        lr_of = {}

        def step(self):
            self.check_gradients()
            for p in self.params:
                if p.grad is not None:
                    dtype = p.data.dtype
                    if dtype not in lr_of:
                        lr_of[dtype] = np.array(self.lr, dtype)
                    p.data -= lr_of[dtype] * p.grad
        SGD.step = step
    # What one check costs: the step without it (the checks are what issue 8
    # asked for; these variants only measure them).
    elif variant == "no_label_check":
        nn.CrossEntropyLoss._check = staticmethod(lambda z, y: None)
    elif variant == "no_grad_check":
        from tinynet.optim import Optimizer
        Optimizer.check_gradients = lambda self: None
    elif variant == "no_input_check":
        nn.Layer._check_features = lambda self, x, num_features, dtype: None
    elif variant not in ("base", "float64", "phases", "direct"):
        raise SystemExit(f"unknown variant {variant!r}")
    return loss_cls


def child(variant, batch, blocks, steps, warmup=300):
    rng = np.random.default_rng(1)
    if variant == "ceiling":            # the benchmark's hand-tuned NumPy step (same math, same BLAS calls)
        try:
            from experiments.benchmark.contestants import CeilingStep, init_weights
        except ImportError:             # a checkout from before experiments/benchmark/ (3a9e135)
            from experiments.bench_contestants import CeilingStep, init_weights
        ceiling = CeilingStep(init_weights(0), batch)
        data = [ceiling.prepare(rng.random((batch, 784)), rng.integers(0, 10, batch)) for _ in range(8)]
        step = ceiling.step
    elif variant == "torch":
        import torch
        torch.set_num_threads(1)
        torch.manual_seed(0)
        layers = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2 else [])
        model, loss_fn = torch.nn.Sequential(*layers), torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        data = [(torch.from_numpy(rng.random((batch, 784), dtype=np.float32)),
                 torch.from_numpy(rng.integers(0, 10, batch))) for _ in range(8)]

        def step(x, y):
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    else:
        import tinynet as tn
        from tinynet import nn, optim
        loss_cls = _patch(variant)
        tn.manual_seed(0)
        layers = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
        model, loss_fn = nn.Sequential(*layers), loss_cls()
        dtype = np.float32
        if variant == "float64":
            model.double()
            dtype = np.float64
        opt = optim.SGD(model.parameters(), lr=0.1)
        data = [(rng.random((batch, 784)).astype(dtype), rng.integers(0, 10, batch)) for _ in range(8)]

        def step(x, y):
            loss_fn(model(x), y)
            opt.zero_grad()
            model.backward(loss_fn.backward())
            opt.step()

        if variant == "direct":         # no tape: each layer's forward/backward called by hand
            def step(x, y):
                caches, h = [], x
                for layer in layers:
                    h, cache = layer.forward(h)
                    caches.append(cache)
                loss, cache = loss_fn.forward(h, y)
                opt.zero_grad()
                g = loss_fn.backward(1.0, cache)
                for layer, cache in zip(layers[:0:-1], caches[:0:-1]):
                    g = layer.backward(g, cache)
                layers[0].backward(g, caches[0], need_dx=False)
                opt.step()

    for i in range(warmup):
        step(*data[i % 8])
    if variant == "phases":
        return phases(model, loss_fn, opt, data, blocks * steps)
    per_step = []
    for _ in range(blocks if steps else 0):
        t0 = time.thread_time()
        for i in range(steps):
            step(*data[i % 8])
        per_step.append((time.thread_time() - t0) / steps * 1e6)
    print(json.dumps(statistics.median(per_step) if per_step else None))


def phases(model, loss_fn, opt, data, steps):
    """Median time of each phase of the step, and of each layer's forward and backward."""
    clock = time.perf_counter
    rows = []
    for i in range(steps):
        x, y = data[i % 8]
        t0 = clock()
        logits = model(x)
        t1 = clock()
        loss_fn(logits, y)
        dlogits = loss_fn.backward()
        t2 = clock()
        opt.zero_grad()
        model.backward(dlogits)
        t3 = clock()
        opt.step()
        t4 = clock()
        rows.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3))
    names = ("forward", "loss + dL/dlogits", "zero_grad + backward", "update")
    print(json.dumps({n: 1e6 * statistics.median(col) for n, col in zip(names, zip(*rows))}))


def _child_env(path):
    return dict(os.environ, PYTHONPATH=path, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def count_instructions(configs, args):
    """Instructions per step: (run with --steps K) - (run with 0 steps), over K."""
    import re
    counts = {}
    for label, path, variant in configs:
        ir = []
        for steps in (0, args.steps):
            out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                  sys.executable, __file__, "--child", variant, "--batch", str(args.batch),
                                  "--blocks", "1", "--steps", str(steps), "--warmup", "20"],
                                 env=_child_env(path), capture_output=True, text=True, check=True)
            ir.append(int(re.search(r"Collected : (\d+)", out.stderr).group(1)))
        counts[label] = (ir[1] - ir[0]) / args.steps
        print(f"  {label:24s} {counts[label] / 1e3:9.1f} k instructions/step", flush=True)
    base = counts[configs[0][0]]
    print(f"batch {args.batch}, instructions per step relative to {configs[0][0]}:")
    for label, value in counts.items():
        print(f"  {label:24s} {value / 1e3:9.1f} k   x{value / base:5.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="*", help="label=PYTHONPATH:variant")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions per step with valgrind instead of timing (load-independent)")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch, args.blocks, args.steps, args.warmup)
    configs = []
    for text in args.configs:
        label, rest = text.split("=", 1)
        path, variant = rest.rsplit(":", 1)
        configs.append((label, os.path.abspath(path), variant))
    if args.callgrind:
        return count_instructions(configs, args)
    results = {label: [] for label, _, _ in configs}
    for r in range(args.rounds):
        order = configs[r % len(configs):] + configs[:r % len(configs)]     # rotate who goes first
        for label, path, variant in order:
            env = _child_env(path)
            out = subprocess.run([sys.executable, __file__, "--child", variant, "--batch", str(args.batch),
                                  "--blocks", str(args.blocks), "--steps", str(args.steps)],
                                 env=env, capture_output=True, text=True, check=True)
            results[label].append(json.loads(out.stdout))
    base = statistics.median(results[configs[0][0]])
    print(f"batch {args.batch}, {args.rounds} rounds, median us/step (relative to {configs[0][0]}):")
    for label, values in results.items():
        med = statistics.median(values)
        print(f"  {label:24s} {med:8.1f} us   x{med / base:5.3f}   ({min(values):.1f}-{max(values):.1f})")


if __name__ == "__main__":
    main()
