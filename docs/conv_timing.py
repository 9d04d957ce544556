"""Time one training step of a small CNN, for docs/performance.md ("Convolution").

The model is Deep Learning from Scratch's simple CNN on 28 x 28 images:
Conv2d(1, 30, 5) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(4320, 100)
-> ReLU -> Linear(100, 10), float32, cross-entropy, SGD lr 0.1. Each
measurement runs in a fresh subprocess with one BLAS thread; variants
alternate round by round and the figure is the median of the thread's CPU
time per step, so a busy neighbour hurts every variant alike; the minor
page faults per step are shown beside it::

    OPENBLAS_NUM_THREADS=1 python docs/conv_timing.py --batch 10 base torch
    python docs/conv_timing.py --callgrind --batch 10 base maxpool_where col2im_add

Variants: base (tinynet as it is), torch (PyTorch eager, one thread),
float64 (the model and data in float64), layers (the time of each layer's
forward and backward, called directly), and one alternative design each:
maxpool_where (MaxPool2d's index of the maximum by ``np.where`` in the
default integer type, instead of ``np.maximum`` in the smallest one), col2im_add (col2im always adds, even when the
windows do not overlap), im2col_loop (im2col by a loop over the kh*kw
kernel offsets instead of one copy of a sliding-window view), dw_tensordot
and dw_one_gemm (Conv2d's dW by ``np.tensordot``, or by one product of two
transposed copies, instead of a product per image summed over n), always_dx
(the first Conv2d computes dx although nobody needs it).
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

import numpy as np


def _patch(variant):
    """Put one alternative design into the layers, to measure what it costs."""
    import tinynet.nn.im2col as im2col_module
    from tinynet import nn
    if variant == "maxpool_where":
        def forward(self, x):
            X, (Ho, Wo) = self._windows(x, pad_value=-np.inf)
            N, C, K, L = X.shape
            best = np.full((N, C, L), -np.inf, dtype=x.dtype)
            arg = self._first_inside(x.shape, index=np.intp)
            for k in range(K):
                entry = X[:, :, k]
                better = (entry > best) | np.isnan(entry)
                best = np.maximum(best, entry)
                arg = np.where(better, k, arg)
            return best.reshape(N, C, Ho, Wo), (x.shape, arg)
        nn.MaxPool2d.forward = forward
    elif variant == "col2im_add":
        def col2im(cols, x_shape, kernel_size, stride=(1, 1), padding=(0, 0)):
            N, C, H, W = x_shape
            (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
            Ho, Wo = im2col_module.output_size((H, W), kernel_size, stride, padding)
            cols = cols.reshape(N, C, kh, kw, Ho, Wo)
            xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
            for i in range(kh):
                for j in range(kw):
                    xp[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw] += cols[:, :, i, j]
            return xp[:, :, ph:ph + H, pw:pw + W]
        import tinynet.nn.conv
        import tinynet.nn.pooling
        tinynet.nn.conv.col2im = tinynet.nn.pooling.col2im = col2im
    elif variant == "im2col_loop":
        def im2col(x, kernel_size, stride=(1, 1), padding=(0, 0), pad_value=0.0):
            N, C, H, W = x.shape
            (kh, kw), (sh, sw) = kernel_size, stride
            Ho, Wo = im2col_module.output_size((H, W), kernel_size, stride, padding)
            xp = im2col_module.pad(x, padding, pad_value)
            cols = np.empty((N, C, kh, kw, Ho, Wo), dtype=x.dtype)
            for i in range(kh):
                for j in range(kw):
                    cols[:, :, i, j] = xp[:, :, i:i + sh * Ho:sh, j:j + sw * Wo:sw]
            return cols.reshape(N, C * kh * kw, Ho * Wo)
        import tinynet.nn.conv
        import tinynet.nn.pooling
        tinynet.nn.conv.im2col = tinynet.nn.pooling.im2col = im2col
    elif variant in ("dw_tensordot", "dw_one_gemm", "always_dx"):
        conv_backward = nn.Conv2d._backward

        def backward(self, dout, cache, need_dx=True):
            if variant == "always_dx":
                return conv_backward(self, dout, cache, need_dx=True)
            x_shape, X = cache
            N, F = dout.shape[:2]
            G = dout.reshape(N, F, -1)
            if variant == "dw_tensordot":
                dWm = np.tensordot(G, X, axes=([0, 2], [0, 2]))
            else:               # both as (rows, N Ho Wo) matrices: two transposed copies, one product
                dWm = G.transpose(1, 0, 2).reshape(F, -1) @ X.transpose(1, 0, 2).reshape(X.shape[1], -1).T
            self.weight.accumulate_grad(dWm.reshape(self.weight.data.shape))
            self.bias.accumulate_grad(G.sum(axis=(0, 2)))
            return None
        nn.Conv2d._backward = backward


def _torch_step(batch, data):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 30, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(30 * 12 * 12, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]

    def step(x, y):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step, data


def _tinynet_step(variant, data):
    import tinynet as tn
    from tinynet import nn, optim
    _patch(variant)
    tn.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
    if variant == "float64":
        model.double()
        data = [(x.astype(np.float64), y) for x, y in data]
    loss_fn, opt = nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        loss_fn(model(x), y)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()
    return step, data, model


def layer_times(model, x, repeats):
    """Median thread CPU time of each layer's forward and backward, called directly."""
    rng = np.random.default_rng(2)
    times, h = {}, x
    for k, layer in enumerate(model):
        out, cache = layer.forward(h)
        dout = rng.random(out.shape, dtype=np.float32).astype(out.dtype)
        backward = (lambda: layer.backward(dout, cache, need_dx=False)) if k == 0 else (
            lambda: layer.backward(dout, cache))
        for phase, run in (("forward", lambda: layer.forward(h)), ("backward", backward)):
            samples = []
            for _ in range(repeats):
                t0 = time.thread_time()
                run()
                samples.append((time.thread_time() - t0) * 1e6)
            times[f"{k} {type(layer).__name__} {phase}"] = statistics.median(samples)
        h = out
    return times


def child(variant, batch, blocks, steps, warmup):
    rng = np.random.default_rng(1)
    data = [(rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)) for _ in range(4)]
    if variant == "torch":
        step, data = _torch_step(batch, data)
    else:
        step, data, model = _tinynet_step(variant, data)
    for i in range(warmup):
        step(*data[i % 4])
    if variant == "layers":
        print(json.dumps(layer_times(model, data[0][0], blocks * steps)))
        return
    per_step = []
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(blocks if steps else 0):
        t0 = time.thread_time()
        for i in range(steps):
            step(*data[i % 4])
        per_step.append((time.thread_time() - t0) / steps * 1e6)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / max(1, blocks * steps)
    print(json.dumps([statistics.median(per_step), faults] if per_step else None))


def _run(variant, args, steps, blocks, warmup, tool=()):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run([*tool, sys.executable, __file__, "--child", variant, "--batch", str(args.batch),
                           "--blocks", str(blocks), "--steps", str(steps), "--warmup", str(warmup)],
                          env=env, capture_output=True, text=True, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", default=["base", "torch"])
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions per step with valgrind instead of timing (load-independent)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.batch, args.blocks, args.steps, args.warmup)
    if args.callgrind:      # (instructions of K steps - of 0 steps) / K, after the same warm-up
        tool = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
        for variant in args.variants:
            ir = [int(re.search(r"Collected : (\d+)", _run(variant, args, k, 1, 3, tool).stderr).group(1))
                  for k in (0, args.steps)]
            print(f"  {variant:16s} {(ir[1] - ir[0]) / args.steps / 1e3:10.1f} k instructions/step", flush=True)
        return
    if args.variants == ["layers"]:
        print(json.dumps(json.loads(_run("layers", args, args.steps, args.blocks, args.warmup).stdout), indent=1))
        return
    results = {v: [] for v in args.variants}
    faults = {v: [] for v in args.variants}
    for r in range(args.rounds):
        order = args.variants[r % len(args.variants):] + args.variants[:r % len(args.variants)]
        for variant in order:
            us, page_faults = json.loads(_run(variant, args, args.steps, args.blocks, args.warmup).stdout)
            results[variant].append(us)
            faults[variant].append(page_faults)
    base = statistics.median(results[args.variants[0]])
    print(f"batch {args.batch}, {args.rounds} rounds, median us/step (relative to {args.variants[0]}), "
          "minor page faults per step:")
    for variant, values in results.items():
        med = statistics.median(values)
        print(f"  {variant:16s} {med:9.1f} us   x{med / base:5.3f}   ({min(values):.1f}-{max(values):.1f})"
              f"   {statistics.median(faults[variant]):7.0f} faults")


if __name__ == "__main__":
    main()
