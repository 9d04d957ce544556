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
and exits: valgrind counts its instructions (instructions.py).
"""
import argparse
import importlib
import importlib.util
import json
import os
import signal
import sys
import time
from pathlib import Path

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
            for name in ("contestants", "network", "phases", "variants")}


H = _harness()


def build(contestant, variant, batch_size, dtype="float32"):
    """A contestant (tinynet with ``variant`` applied, torch or ceiling)."""
    cls = H["contestants"].ALL[contestant]
    weights = H["network"].init_weights(0)

    def make():
        return cls(weights, batch_size, dtype=dtype)
    if contestant == "tinynet":
        return H["variants"].apply(make, variant)
    if variant != "base":
        raise ValueError(f"{contestant} has no variants")
    return make()


def run_steps(step, batches):
    """(wall seconds, CPU seconds, last loss) of ``step`` over ``batches``."""
    wall, cpu = time.perf_counter(), time.process_time()
    loss = None
    for x, y in batches:
        loss = step(x, y)
    return time.perf_counter() - wall, time.process_time() - cpu, loss


class Worker:
    """The contestants of this process, by name, and the requests on them."""

    def __init__(self):
        self.made = {}                     # name -> (contestant, prepared batches)

    def slot(self, name, steps):
        contestant, pool = self.made[name]
        return contestant, [pool[i % len(pool)] for i in range(steps)]

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
        self.limiter = threadpool_limits(limits=threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)
        return {"blas_threads": [lib["num_threads"] for lib in threadpool_info()
                                 if lib["user_api"] == "blas"]}

    def make(self, name, contestant, variant, batch):
        made = build(contestant, variant, batch)
        pool = [made.prepare(x, y) for x, y in H["network"].make_batches(batch)]
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
        wall, cpu, loss = run_steps(contestant.step, batches)
        return {"wall": wall, "cpu": cpu, "loss": float(loss)}

    def phases(self, name, steps):
        return {"phases": H["phases"].phase_times(*self.slot(name, steps))}

    def profile(self, name, steps, top=25):
        return {"text": H["phases"].profile(*self.slot(name, steps), top=top)}

    def equivalence(self, specs, batch):
        """One float64 step of each [label, contestant, variant] and of the ceiling."""
        makers = {label: (lambda w, b, dtype, c=contestant, v=variant: build(c, v, b, dtype))
                  for label, contestant, variant in specs}
        makers["ceiling"] = H["contestants"].ALL["ceiling"]
        return H["contestants"].equivalence_check(makers, batch_size=batch)

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


def count(label, batch, steps, warmup):
    """Build ``label`` (contestant[:variant]), warm it up, run ``steps`` steps."""
    contestant, _, variant = label.partition(":")
    made = build(contestant, variant or "base", batch)
    pool = [made.prepare(x, y) for x, y in H["network"].make_batches(batch)]
    run_steps(made.step, [pool[i % len(pool)] for i in range(warmup)])
    run_steps(made.step, [pool[i % len(pool)] for i in range(steps)])


def main():
    parser = argparse.ArgumentParser(description="a worker of python -m experiments.benchmark")
    parser.add_argument("--count", metavar="LABEL")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if args.count:
        return count(args.count, args.batch, args.steps, args.warmup)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's, which stops us
    channel = os.fdopen(os.dup(1), "w")    # the protocol's own copy of stdout ...
    os.dup2(2, 1)                          # ... and everything else printed goes to stderr
    serve(channel)


if __name__ == "__main__":
    main()
