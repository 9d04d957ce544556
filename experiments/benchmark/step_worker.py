"""A benchmark worker: builds and runs contestants for ONE checkout's tinynet.

Started by workers.py as a script,

    PYTHONPATH=<checkout> python <this checkout>/experiments/benchmark/step_worker.py

so ``import tinynet`` finds the checkout's tinynet, while this harness is
loaded from its own folder under a private package name: the checkout's
``experiments`` (older or newer) is never imported. Requests arrive as JSON
lines on stdin and are answered as JSON lines on the original stdout
(anything a library prints goes to stderr). Every slot is timed here, in
the process that runs it: ``wall`` (perf_counter) and ``cpu``
(process_time, all of the worker's threads).

With ``--count LABEL`` it instead runs one contestant for ``--steps`` steps
and exits: valgrind counts its instructions (instructions.py). With
``--memory LABEL`` it prints, as one JSON line, the peak resident memory of
the contestant's steps above what the process held before them
(cnn.py's step_memory): a fresh process, holding only that contestant.

A label is ``contestant[:variant]``: the variants of the MLP's tinynet
(variants.py, applied to one contestant object) or the CNN's designs
(designs.py, installed in the whole process, so a worker holds one design).
"""
import argparse
import importlib
import importlib.util
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _harness():
    """This harness's modules, loaded by file under the name ``tinynet_benchmark``."""
    if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
        sys.path.pop(0)                    # the harness's files are not top-level modules
    spec = importlib.util.spec_from_file_location(
        "tinynet_benchmark", HERE / "__init__.py", submodule_search_locations=[str(HERE)])
    package = importlib.util.module_from_spec(spec)
    sys.modules["tinynet_benchmark"] = package
    spec.loader.exec_module(package)
    return {name: importlib.import_module(f"tinynet_benchmark.{name}")
            for name in ("contestants", "designs", "network", "phases", "resident_memory",
                         "variants")}


H = _harness()


def build(contestant, variant, batch_size, dtype=None, workload="mlp", weights=None):
    """A contestant: tinynet (with an MLP variant applied, or as the CNN
    design installed in this process runs it), torch or ceiling, from
    ``weights`` (default: the workload's of seed 0). ``dtype`` defaults to
    float32 (float64 for the CNN's float64 design)."""
    net = H["network"].WORKLOADS[workload]
    cls = H["contestants"].ALL[contestant]
    weights = H["network"].init_weights(0, net) if weights is None else weights
    if contestant == "tinynet" and workload == "cnn" and variant != "base":
        if variant != INSTALLED["design"]:
            raise ValueError(f"the CNN design {variant} is not installed in this worker")
        dtype, variant = dtype or H["designs"].dtype_of(variant), "base"

    def make():
        return cls(weights, batch_size, dtype=dtype or "float32", workload=net)
    if contestant == "tinynet":
        return H["variants"].apply(make, variant)
    if variant != "base":
        raise ValueError(f"{contestant} has no variants")
    return make()


INSTALLED = {"design": "base"}          # the CNN design of this process (designs.py)


def install(design):
    """Put a CNN design into this process and check that a step calls it."""
    H["designs"].install(design)
    INSTALLED["design"] = design
    trial = build("tinynet", design, 2, workload="cnn")
    x, y = H["network"].make_batches(2, n_batches=1, workload=H["network"].CNN)[0]
    H["designs"].check_called(design, lambda: trial.step(*trial.prepare(x, y)))


def batches_for(made, batch, workload, n_batches=8):
    net = H["network"].WORKLOADS[workload]
    return [made.prepare(x, y) for x, y in H["network"].make_batches(batch, n_batches, workload=net)]


def run_steps(step, batches):
    """(wall seconds, CPU seconds, minor page faults, last loss) of ``step`` over ``batches``."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    wall, cpu = time.perf_counter(), time.process_time()
    loss = None
    for x, y in batches:
        loss = step(x, y)
    return (time.perf_counter() - wall, time.process_time() - cpu,
            resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults, loss)


class Worker:
    """The contestants of this process, by name, and the requests on them."""

    def __init__(self):
        self.made = {}                     # name -> (contestant, prepared batches)

    def slot(self, name, steps):
        contestant, pool = self.made[name]
        return contestant, _steps(pool, steps)

    def about(self):
        import numpy
        info = {"python": sys.version.split()[0], "numpy": numpy.__version__, "pid": os.getpid()}
        try:
            import tinynet
            info.update(tinynet=getattr(tinynet, "__version__", "?"),
                        tinynet_file=str(Path(tinynet.__file__).resolve()))
        except ImportError as error:
            info["tinynet_error"] = str(error)
        if "torch" in sys.modules:
            torch = sys.modules["torch"]
            info.update(torch=torch.__version__, torch_num_threads=torch.get_num_threads(),
                        torch_blas="MKL" if torch.backends.mkl.is_available() else "other",
                        torch_mkldnn=bool(torch.backends.mkldnn.is_available()))
        return info

    def torch_missing(self):
        return {"why": H["contestants"].torch_missing()}

    def threads(self, threads):
        from threadpoolctl import threadpool_info, threadpool_limits
        self.limiter, self.thread_count = threadpool_limits(limits=threads), threads
        self._limit_torch()
        return {"blas_threads": [lib["num_threads"] for lib in threadpool_info()
                                 if lib["user_api"] == "blas"]}

    def _limit_torch(self):
        """PyTorch's threads as set by ``threads``, also when it is imported later."""
        if "torch" in sys.modules and getattr(self, "thread_count", None):
            sys.modules["torch"].set_num_threads(self.thread_count)

    def install(self, design):
        install(design)
        return {}

    def make(self, name, contestant, variant, batch, workload="mlp"):
        made = build(contestant, variant, batch, workload=workload)
        self._limit_torch()
        pool = batches_for(made, batch, workload)
        run_steps(made.step, pool[:3])     # warm-up, discarded
        self.made[name] = (made, pool)
        return {}

    def calibrate(self, name, seconds):
        """Steps per slot so that a slot lasts about ``seconds``."""
        contestant, pool = self.made[name]
        steps, spent = 0, 0.0
        while spent < seconds / 2 or steps < 3:
            spent += run_steps(contestant.step, pool)[0]
            steps += len(pool)
        return {"steps": max(3, round(seconds / (spent / steps)))}

    def run(self, name, steps):
        contestant, batches = self.slot(name, steps)
        wall, cpu, faults, loss = run_steps(contestant.step, batches)
        return {"wall": wall, "cpu": cpu, "faults": faults, "loss": float(loss)}

    def phases(self, name, steps):
        return {"phases": H["phases"].phase_times(*self.slot(name, steps))}

    def layers(self, name, repeats):
        contestant, pool = self.made[name]
        return {"layers": H["phases"].layer_times(contestant, pool[0][0], repeats)}

    def profile(self, name, steps, top=25):
        return {"text": H["phases"].profile(*self.slot(name, steps), top=top)}

    def trained_weights(self, contestant, variant, workload, batch, dtype, steps, path):
        """``steps`` steps from the workload's initial weights; the weights
        are written to ``path`` (.npz), the losses returned."""
        net = H["network"].WORKLOADS[workload]
        losses, weights = H["contestants"].trained_weights(
            lambda weights, b, dtype, workload: build(contestant, variant, b, dtype, workload.name,
                                                      weights),
            batch, dtype, steps, workload=net)
        np.savez(path, *[array for pair in weights for array in pair])
        return {"losses": losses}

    def drop(self):
        self.made.clear()
        return {}


def serve(channel):
    worker = Worker()
    for line in sys.stdin:
        request = json.loads(line)
        op = request.pop("op")
        if op == "quit":
            break
        try:
            answer = {"ok": True, **getattr(worker, op)(**request)}
        except Exception as error:  # noqa: BLE001 - the parent reports it, the worker goes on
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        channel.write(json.dumps(answer) + "\n")
        channel.flush()


def _prepared(label, batch, workload):
    """Build ``label`` (contestant[:variant]) for ``workload``, installing a
    CNN design first; the contestant and its prepared batches."""
    contestant, _, variant = label.partition(":")
    if workload == "cnn" and variant:
        install(variant)
    made = build(contestant, variant or "base", batch, workload=workload)
    return made, batches_for(made, batch, workload)


def _steps(pool, steps):
    return [pool[i % len(pool)] for i in range(steps)]


def count(label, batch, steps, warmup, workload):
    """Warm ``label`` up, then run ``steps`` steps (valgrind counts them)."""
    made, pool = _prepared(label, batch, workload)
    run_steps(made.step, _steps(pool, warmup))
    run_steps(made.step, _steps(pool, steps))


def memory(label, batch, steps, workload):
    """The peak resident memory of ``steps`` steps above the process's
    resident size before the first (model and batches built): what training
    at this batch size adds; for tinynet also the peak of NumPy's own
    allocations in one more step (tracemalloc: deterministic, but blind to
    the allocator's pages). One JSON line."""
    import tracemalloc
    rss = H["resident_memory"]
    made, pool = _prepared(label, batch, workload)
    # The peak just reset is the size before the steps: the two are read at the same moment.
    reset = rss.reset_peak()
    before = rss.status("VmHWM" if reset else "VmRSS")
    run_steps(made.step, _steps(pool, steps))
    peak, after = (rss.status("VmHWM") if reset else None), rss.status("VmRSS")
    found = {"rss_before": before, "peak": peak, "rss_after": after, "steps": steps,
             "step_peak": None if peak is None or before is None else peak - before,
             "numpy_step_peak": None}
    if label.startswith("tinynet"):
        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        made.step(*pool[0])
        found["numpy_step_peak"] = tracemalloc.get_traced_memory()[1] - start
        tracemalloc.stop()
    print(json.dumps(found))


def main():
    parser = argparse.ArgumentParser(description="a worker of python -m experiments.benchmark")
    parser.add_argument("--count", metavar="LABEL")
    parser.add_argument("--memory", metavar="LABEL")
    parser.add_argument("--workload", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if args.count:
        return count(args.count, args.batch, args.steps, args.warmup, args.workload)
    if args.memory:
        return memory(args.memory, args.batch, args.steps, args.workload)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's, which stops us
    channel = os.fdopen(os.dup(1), "w")    # the protocol's own copy of stdout ...
    os.dup2(2, 1)                          # ... and everything else printed goes to stderr
    serve(channel)


if __name__ == "__main__":
    main()
