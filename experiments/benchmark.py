"""Speed benchmark of tinynet: ``python -m experiments.benchmark``.

Measures, in one process and side by side, one SGD training step (forward,
loss, backward, update; float32) of the lecture's 784-100-100-100-100-10 ReLU
MLP with cross-entropy loss, SGD lr 0.1, for three contestants
(see ``experiments/bench_contestants.py``):

* **tinynet**: the real step, as the experiments write it;
* **torch**: the same step in PyTorch eager, ``torch.set_num_threads`` matched
  to the BLAS thread count (skipped with ``--no-torch`` or if not installed);
* **ceiling**: a hand-tuned NumPy step of the same math (preallocated buffers,
  ``out=``, in-place activations, no input checks, fused softmax-CE backward,
  in-place update, no input gradient for the first layer, and every NumPy
  trick tinynet's layers use): the speed a NumPy framework can hope for.

Contestants are timed *interleaved*: each round runs every contestant once
(in a rotating order), K steps each with K chosen so a slot lasts about
``--repeat-seconds``; the figure is the median over ``--repeats`` rounds,
after a discarded warm-up. In-memory random data (float32 in [0, 1), int64
labels), BLAS threads set with threadpoolctl. Before timing, one float64
step of each from identical weights and data must give identical weights
(max abs difference printed): contestants that compute different things
are not compared.

Shared machines: around every slot the CPU time used by *other* processes
is read (psutil). A round during which they needed the cores this
configuration uses is "disturbed" and run again (up to 3x --repeats); the
tables mark configurations without enough undisturbed rounds with "*".
Two threads on a two-core machine are hit hardest: one busy neighbour and
every parallel BLAS/OpenMP call waits for a time slice. With several
threads each slot also starts after ``--settle`` idle seconds: the previous
contestant's BLAS/OpenMP worker threads keep spinning after their last call
and would otherwise steal the cores from the next one.

It also times, at each thread count, one full lecture baseline run (300
MNIST images, batch 10, 100 epochs, through ``experiments.train.run``) and
one epoch of the full 60,000-image Fashion-MNIST training set at batch 100
in a fresh subprocess (``experiments/bench_memory.py``), with that child's
peak resident memory against the data set's size; and the whole lab
(``python -m experiments --fresh`` into a scratch folder; ``--no-lab`` skips it).
The epoch children run first, before torch is imported: Linux passes a
parent's resident size at fork on to the child's ru_maxrss.

Writes every figure to ``--out`` (JSON, default ``results/benchmark.json``)
and prints markdown tables with PASS/FAIL against the targets.

Examples::

    TINYNET_DATA=/path/to/data python -m experiments.benchmark
    python -m experiments.benchmark --quick            # smoke run, ~15-30 s
    python -m experiments.benchmark --batches 10 --threads 1 --repeats 15
    python -m experiments.benchmark --profile          # + cProfile of tinynet's step
    python -m experiments.benchmark --no-lab           # without the whole lab (~3 min less)
"""
import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from experiments import bench_contestants as bc

REPO = Path(__file__).resolve().parents[1]
CONTESTANTS = ("tinynet", "torch", "ceiling")

# one BLAS thread: batch -> (min tinynet/torch, min tinynet/ceiling)
TARGETS = {10: (3.0, 0.70), 100: (1.4, 0.85), 1000: (0.95, 0.90)}
TARGET_THREADS = 1

LECTURE = {"dataset": "mnist", "n_train": 300, "batch_size": 10, "epochs": 100, "lr": 0.1}
EPOCH = {"dataset": "fashion-mnist", "batch_size": 100}

MB = 1e6


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _int_list(text):
    return [int(v) for v in str(text).replace(",", " ").split()]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m experiments.benchmark",
                                 description="Speed benchmark: tinynet vs PyTorch eager vs hand-tuned NumPy.")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 short repeats, 1 thread, everything else as usual (used by the tests)")
    ap.add_argument("--batches", nargs="+", default=None, metavar="N",
                    help="batch sizes (default 10 100 1000)")
    ap.add_argument("--threads", nargs="+", default=None, metavar="T",
                    help="BLAS thread counts (default 1 2; quick: 1)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per contestant (default 7, quick 3)")
    ap.add_argument("--repeat-seconds", type=float, default=None,
                    help="target duration of one repeat (default 0.2 s, quick 0.04 s)")
    ap.add_argument("--settle", type=float, default=0.3,
                    help="idle seconds before each timed slot when threads > 1, so that the previous "
                         "contestant's spinning BLAS/OpenMP threads go to sleep first (default 0.3)")
    ap.add_argument("--data-dir", default=None,
                    help="folder holding mnist/ and fashion-mnist/ (default: tinynet's, i.e. $TINYNET_DATA)")
    ap.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    ap.add_argument("--no-lab", action="store_true",
                    help="skip timing the whole lab (python -m experiments, 10 seeds; ~3 minutes); "
                         "--quick skips it too")
    ap.add_argument("--no-epoch", action="store_true",
                    help="skip the full Fashion-MNIST epoch and its memory figure")
    ap.add_argument("--no-lecture", action="store_true", help="skip the lecture baseline run")
    ap.add_argument("--profile", action="store_true",
                    help="print a cProfile of tinynet's step (batch 10, 1 thread)")
    ap.add_argument("--out", default="results/benchmark.json", help="JSON output (default results/benchmark.json)")
    args = ap.parse_args(argv)
    try:
        args.batches = _int_list(" ".join(args.batches)) if args.batches else [10, 100, 1000]
        args.threads = _int_list(" ".join(args.threads)) if args.threads else ([1] if args.quick else [1, 2])
    except ValueError as exc:
        ap.error(f"--batches and --threads take whole numbers ({exc})")
    if args.repeats is None:
        args.repeats = 3 if args.quick else 7
    if args.repeat_seconds is None:
        args.repeat_seconds = 0.04 if args.quick else 0.2
    args.max_rounds = (2 if args.quick else 3) * args.repeats
    if args.repeats < 1 or args.repeat_seconds <= 0 or min(args.batches) < 1 or min(args.threads) < 1:
        ap.error("repeats, repeat-seconds, batches and threads must be positive")
    return args


def data_dir(arg):
    if arg:
        return str(Path(arg).resolve())
    return os.environ.get("TINYNET_DATA") or None     # None: tinynet's own default


def _fmt_rate(v):
    if v is None:
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def _fmt_ratio(v):
    return "—" if v is None else f"{v:.2f}x"


def _fmt_s(v):
    return "not measured" if v is None else f"{v:.2f} s"


# --------------------------------------------------------------------------
# machine and BLAS configuration
# --------------------------------------------------------------------------
def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(use_torch):
    from threadpoolctl import threadpool_info
    env = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(), "numpy": np.__version__,
        "platform": platform.platform(), "cpu": _cpu_model(), "cpu_count": os.cpu_count(),
        "blas_env": {k: v for k, v in sorted(os.environ.items())
                     if k.startswith(("OPENBLAS", "OMP_", "MKL_", "GOTO", "BLIS", "VECLIB"))},
        "threadpool_info": threadpool_info(),
    }
    try:
        import tinynet
        env["tinynet"] = getattr(tinynet, "__version__", "?")
    except Exception as exc:
        env["tinynet"] = f"unavailable ({type(exc).__name__}: {exc})"
    if use_torch:
        try:
            import torch
            env["torch"] = torch.__version__
            env["torch_num_threads"] = torch.get_num_threads()
            env["torch_blas"] = torch.backends.mkl.is_available() and "MKL" or "other"
            env["torch_mkldnn"] = bool(torch.backends.mkldnn.is_available())
        except Exception as exc:
            env["torch"] = f"unavailable ({type(exc).__name__})"
    return env


def print_environment(env):
    print("## Machine and BLAS configuration\n")
    print(f"- CPU: {env['cpu']} ({env['cpu_count']} logical CPUs); {env['platform']}")
    versions = [f"Python {env['python']}", f"NumPy {env['numpy']}", f"tinynet {env['tinynet']}"]
    if "torch" in env:
        versions.append(f"PyTorch {env['torch']}")
    print("- " + ", ".join(versions))
    blas_env = env["blas_env"]
    print("- BLAS environment variables: "
          + (", ".join(f"{k}={v}" for k, v in blas_env.items()) if blas_env else "none set"))
    if "torch_num_threads" in env:
        print(f"- PyTorch: {env['torch_num_threads']} threads by default, BLAS {env['torch_blas']}, "
              f"oneDNN {'on' if env['torch_mkldnn'] else 'off'}")
    print("- threadpoolctl.threadpool_info():\n")
    print("| user_api | internal_api | version | architecture (kernel) | threading | threads | library |")
    print("|---|---|---|---|---|---|---|")
    for lib in env["threadpool_info"]:
        print(f"| {lib.get('user_api')} | {lib.get('internal_api')} | {lib.get('version')} | "
              f"{lib.get('architecture', '—')} | {lib.get('threading_layer', '—')} | "
              f"{lib.get('num_threads')} | {Path(lib.get('filepath', '')).name} |")
    print()


# --------------------------------------------------------------------------
# per-step timing
# --------------------------------------------------------------------------
class _Threads:
    """Limit BLAS/OpenMP threads (threadpoolctl) and PyTorch's to ``n``."""

    def __init__(self, n, torch_mod):
        self.n, self.torch = n, torch_mod

    def __enter__(self):
        from threadpoolctl import threadpool_info, threadpool_limits
        self.limiter = threadpool_limits(limits=self.n)
        self.blas_threads = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        if self.torch is not None:
            self.torch_before = self.torch.get_num_threads()
            self.torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        if self.torch is not None:
            self.torch.set_num_threads(self.torch_before)
        self.limiter.restore_original_limits()


def _make_batches(batch_size, n_pool=8, seed=1):
    """A small pool of in-memory batches: float32 in [0, 1) and int64 labels."""
    rng = np.random.default_rng(seed + batch_size)
    return [(rng.random((batch_size, bc.SIZES[0]), dtype=np.float32),
             rng.integers(0, bc.SIZES[-1], batch_size, dtype=np.int64)) for _ in range(n_pool)]


def _run(step, seq):
    t0 = time.perf_counter()
    for x, y in seq:
        step(x, y)
    return time.perf_counter() - t0


class CpuMonitor:
    """CPU time used on this machine by OTHER processes (and the hypervisor).

    The machine may be shared: another process busy on one of two cores
    wrecks a 2-thread measurement, whose threads then wait for each other's
    time slices. Around every timed slot we read the machine's busy time
    (/proc/stat via psutil, including steal time) minus this process's own
    CPU time. A slot is "disturbed" when others used more than the cores
    the benchmark leaves free (cpu_count - threads) plus a small allowance
    (``limit_fraction`` of a core, at least ``limit_seconds``: /proc/stat
    counts in 10 ms ticks); its whole round is then repeated (see
    :func:`time_config`).
    """

    def __init__(self, threads=1, limit_fraction=0.10, limit_seconds=0.025):
        self.free_cores = max(0, (os.cpu_count() or 1) - threads)
        try:
            import psutil
        except ImportError:             # no monitoring: every slot counts as clean
            self.psutil = None
            return
        self.psutil, self.proc = psutil, psutil.Process()
        self.limit_fraction, self.limit_seconds = limit_fraction, limit_seconds

    def snapshot(self):
        if self.psutil is None:
            return None
        t, own = self.psutil.cpu_times(), self.proc.cpu_times()
        busy = t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) \
            + getattr(t, "steal", 0)
        return busy, (own.user + own.system + getattr(own, "children_user", 0)
                      + getattr(own, "children_system", 0))

    def foreign(self, before, after):
        """CPU seconds others used between two snapshots (None if unknown)."""
        if before is None:
            return None
        return max(0.0, (after[0] - before[0]) - (after[1] - before[1]))

    def disturbed(self, foreign, wall):
        return foreign is not None and \
            foreign > self.free_cores * wall + max(self.limit_fraction * wall, self.limit_seconds)


class watch:
    """``with watch(threads) as w: ...`` -> w.info: wall time, CPU seconds used
    by other processes meanwhile, and whether that disturbed the run."""

    def __init__(self, threads):
        self.monitor, self.info = CpuMonitor(threads), {}

    def __enter__(self):
        self.before, self.t0 = self.monitor.snapshot(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.t0
        foreign = self.monitor.foreign(self.before, self.monitor.snapshot())
        self.info = {"foreign_cpu_s": foreign, "disturbed": self.monitor.disturbed(foreign, wall)}


def time_config(names, batch_size, repeats, repeat_seconds, threads=1, seed=0, max_rounds=None, settle=0.0):
    """Time the contestants at one batch size, interleaved; return per-name stats.

    A *round* times every contestant once (K steps each, the order rotating
    from round to round). Rounds during which other processes used the CPU
    are repeated, up to ``max_rounds`` (3x repeats); the figures are the
    medians over the undisturbed rounds (over all rounds, flagged
    ``disturbed``, if fewer than half the requested rounds were clean).

    ``settle`` seconds of idle time precede every slot. With several threads
    this matters: after a call, OpenBLAS's and OpenMP's worker threads keep
    spinning for a while, and spinning on the cores the next contestant
    needs they slow it down (measured here: PyTorch at 2 threads, batch 100,
    1,170 steps/s alone, 750 right after NumPy slots, 1,165 with a 0.3 s gap).
    """
    monitor = CpuMonitor(threads)
    max_rounds = max_rounds or 3 * repeats
    weights = bc.init_weights(seed)
    pool = _make_batches(batch_size)
    made, prepared, errors = {}, {}, {}
    for name in names:
        try:
            c = bc.ALL[name](weights, batch_size)
            made[name] = c
            prepared[name] = [c.prepare(x, y) for x, y in pool]
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
    # warm-up (discarded), then K so that one slot lasts about repeat_seconds
    ks = {}
    for name, c in made.items():
        data = prepared[name]
        if settle:
            time.sleep(settle)
        _run(c.step, data[:3])
        n, spent = 0, 0.0
        while spent < repeat_seconds / 2 or n < 3:
            spent += _run(c.step, data)
            n += len(data)
        ks[name] = max(3, round(repeat_seconds / (spent / n)))
    seqs = {name: [prepared[name][i % len(pool)] for i in range(ks[name])] for name in made}
    order = list(made)
    rounds = []                         # [{name: (steps/s, foreign cpu s)}, ...]
    while order and len(rounds) < max_rounds:
        r = len(rounds)
        this = {}
        for name in order[r % len(order):] + order[:r % len(order)]:   # rotate the order
            if settle:
                time.sleep(settle)      # let the previous slot's worker threads go idle
            before = monitor.snapshot()
            wall = _run(made[name].step, seqs[name])
            this[name] = (ks[name] / wall, monitor.foreign(before, monitor.snapshot()), wall)
        this = {"rates": {k: v[0] for k, v in this.items()},
                "foreign_cpu_s": {k: v[1] for k, v in this.items()},
                "disturbed": any(monitor.disturbed(v[1], v[2]) for v in this.values())}
        rounds.append(this)
        n_clean = sum(not rr["disturbed"] for rr in rounds)
        if n_clean >= repeats:
            break
        if len(rounds) >= 2 * repeats and n_clean < len(rounds) / 4:
            break                       # the machine stays busy: more rounds won't help
    clean = [rr for rr in rounds if not rr["disturbed"]]
    noisy = len(clean) < max(1, (repeats + 1) // 2)
    used = rounds if noisy else clean
    out = {}
    for name, c in made.items():
        loss = float(c.step(*prepared[name][0]))
        rates = [rr["rates"][name] for rr in used]
        med = statistics.median(rates)
        out[name] = {"steps_per_s": med, "samples_per_s": med * batch_size,
                     "us_per_step": 1e6 / med, "min_steps_per_s": min(rates),
                     "max_steps_per_s": max(rates), "repeats": rates,
                     "all_rounds": [rr["rates"][name] for rr in rounds],
                     "foreign_cpu_s": [rr["foreign_cpu_s"][name] for rr in rounds],
                     "steps_per_repeat": ks[name], "final_loss": loss, "finite": bool(np.isfinite(loss))}
    for name, err in errors.items():
        out[name] = {"error": err}
    meta = {"rounds": len(rounds), "clean_rounds": len(clean), "disturbed": noisy,
            "monitored": monitor.psutil is not None}
    return out, meta


def run_steps(args, names, torch_mod):
    configs = []
    for n_threads in args.threads:
        with _Threads(n_threads, torch_mod) as th:
            for batch in args.batches:
                t0 = time.perf_counter()
                res, meta = time_config(names, batch, args.repeats, args.repeat_seconds, threads=n_threads,
                                        max_rounds=args.max_rounds,
                                        settle=args.settle if n_threads > 1 else 0.0)
                rate = {k: v.get("steps_per_s") for k, v in res.items()}
                ratios = {}
                if rate.get("tinynet") and rate.get("torch"):
                    ratios["tinynet_vs_torch"] = rate["tinynet"] / rate["torch"]
                if rate.get("tinynet") and rate.get("ceiling"):
                    ratios["tinynet_vs_ceiling"] = rate["tinynet"] / rate["ceiling"]
                if rate.get("torch") and rate.get("ceiling"):
                    ratios["torch_vs_ceiling"] = rate["torch"] / rate["ceiling"]
                cfg = {"threads": n_threads, "blas_threads_seen": th.blas_threads, "batch_size": batch,
                       "contestants": res, "ratios": ratios, "seconds": time.perf_counter() - t0,
                       "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None, **meta}
                cfg["targets"] = check_targets(n_threads, batch, ratios)
                configs.append(cfg)
                print(f"  threads {n_threads}, batch {batch:>5}: "
                      + ", ".join(f"{k} {_fmt_rate(v)}" for k, v in rate.items()) + " steps/s"
                      + "".join(f", {k} {v:.2f}" for k, v in ratios.items())
                      + f"  [{meta['clean_rounds']}/{meta['rounds']} rounds undisturbed"
                      + (", DISTURBED: other processes used the CPU]" if meta["disturbed"] else "]"), flush=True)
    return configs


def check_targets(n_threads, batch, ratios):
    if n_threads != TARGET_THREADS or batch not in TARGETS:
        return None
    want_torch, want_ceiling = TARGETS[batch]
    res = {"tinynet_vs_torch_min": want_torch, "tinynet_vs_ceiling_min": want_ceiling}
    got_t, got_c = ratios.get("tinynet_vs_torch"), ratios.get("tinynet_vs_ceiling")
    res["torch_pass"] = None if got_t is None else bool(got_t >= want_torch)
    res["ceiling_pass"] = None if got_c is None else bool(got_c >= want_ceiling)
    return res


# --------------------------------------------------------------------------
# whole runs
# --------------------------------------------------------------------------
def _lecture_model(seed):
    import tinynet as tn
    from tinynet import nn
    tn.manual_seed(seed)
    return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                         nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                         nn.Linear(100, 10))


def lecture_experiments(root, seed=0):
    """One lecture baseline run through the experiments' own code
    (``experiments.train.run`` with the baseline experiment's configuration),
    exactly as ``python -m experiments`` runs each seed."""
    from experiments.data import load_lab_data
    from experiments.train import run
    try:
        from experiments import get_experiment
        config, source = get_experiment("baseline").configs[0], 'get_experiment("baseline").configs[0]'
    except (ImportError, KeyError, AttributeError, IndexError):
        from experiments.config import RunConfig
        config, source = RunConfig(name="baseline", label="lecture baseline"), "RunConfig()"
    got = {"dataset": config.dataset, "n_train": config.train_size, "batch_size": config.batch_size,
           "epochs": config.epochs, "lr": config.lr}
    if got != LECTURE or config.batchnorm != "none" or config.dropout or config.l1 or config.l2:
        raise ValueError(f"{source} is not the lecture baseline: {got}")
    t0 = time.perf_counter()
    data = load_lab_data(config.dataset, config.train_size, config.val_size, data_dir=root)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    record = run(config, seed, data, framework="tinynet")
    seconds = time.perf_counter() - t0
    steps = config.epochs * (config.train_size // config.batch_size)      # drop_last=True
    final = record.get("final", {})
    return {"source": f"experiments.train.run({source}, seed={seed})", "seconds": seconds,
            "load_seconds": load_seconds, "steps": steps, "steps_per_s_incl_eval": steps / seconds,
            "test_accuracy": final.get("test_acc"), "final_train_loss": final.get("train_loss"),
            "eval_every": config.eval_every, **LECTURE}


def lecture_local(root, seed=0):
    """The lecture baseline with tinynet + tinynet.data: 300 MNIST images, batch 10, 100 epochs."""
    from tinynet import nn, no_grad, optim
    from tinynet.data import DataLoader, load_dataset
    t_start = time.perf_counter()
    images, labels = load_dataset(LECTURE["dataset"], root=root, train=True)
    images, labels = images[:LECTURE["n_train"]], labels[:LECTURE["n_train"]]
    test_images, test_labels = load_dataset(LECTURE["dataset"], root=root, train=False)
    model = _lecture_model(seed)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=LECTURE["lr"])
    loader = DataLoader(images, labels, batch_size=LECTURE["batch_size"], shuffle=True, drop_last=False)
    t_train = time.perf_counter()
    steps = 0
    for _ in range(LECTURE["epochs"]):
        model.train()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            model.backward(loss_fn.backward())
            opt.step()
            steps += 1
    train_seconds = time.perf_counter() - t_train
    model.eval()
    correct = 0
    with no_grad():
        for x, y in DataLoader(test_images, test_labels, batch_size=1000, shuffle=False, drop_last=False):
            correct += int((model(x).argmax(axis=1) == y).sum())
    return {"source": "local loop (tinynet + tinynet.data)", "seconds": time.perf_counter() - t_start,
            "train_seconds": train_seconds, "steps": steps, "steps_per_s": steps / train_seconds,
            "final_train_loss": float(loss), "test_accuracy": correct / len(test_labels), **LECTURE}


def lecture_run(root, threads=None):
    """The experiments' run if experiments/ provides it, else a local loop."""
    from threadpoolctl import threadpool_info, threadpool_limits
    with threadpool_limits(limits=threads), watch(threads or os.cpu_count()) as w:
        blas = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        try:
            out = lecture_experiments(root)
        except ImportError as exc:
            out = lecture_local(root)
            out["note"] = f"experiments' code unavailable ({exc})"
    out.update(threads=threads, blas_threads=blas, **w.info)
    return out


def lab_run(root):
    """``python -m experiments`` (every experiment, 10 seeds, its default
    workers) in a subprocess, with --fresh into a scratch folder: nothing
    reused from, nor written to, the team's results/."""
    import tempfile
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="tinynet-lab-") as scratch:
        cmd = [sys.executable, "-m", "experiments", "--seeds", "10", "--fresh", "--out", scratch]
        if root:
            cmd += ["--data-dir", root]
        with watch(os.cpu_count()) as w:
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
    return {"measured": True, "seconds": seconds, "returncode": proc.returncode, **w.info,
            "command": "python -m experiments --seeds 10 --fresh --out <scratch dir>",
            "stdout_tail": proc.stdout[-2000:], "stderr_tail": proc.stderr[-2000:]}


def epoch_and_memory(root, threads):
    """One full Fashion-MNIST epoch at batch 100 in a fresh child; its peak RSS."""
    cmd = [sys.executable, str(REPO / "experiments" / "bench_memory.py"),
           "--dataset", EPOCH["dataset"], "--batch-size", str(EPOCH["batch_size"])]
    if root:
        cmd += ["--data-dir", root]
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with watch(threads or os.cpu_count()) as w:
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"bench_memory.py exited with {proc.returncode}: {last}")
    m = json.loads(lines[-1])
    n, b = m["n_images"], m["batch_size"]
    pixels = int(np.prod(m["image_shape"]))
    float32_bytes = n * pixels * 4
    uint8_bytes = n * pixels
    widths = bc.SIZES
    # one batch's activations: the input batch, every layer's output (Linear and
    # ReLU) and the gradient w.r.t. each of them, float32
    acts = b * (widths[0] + 2 * 2 * sum(widths[1:-1]) + 2 * widths[-1]) * 4
    n_params = sum(i * o + o for i, o in zip(widths[:-1], widths[1:]))
    params = 3 * n_params * 4            # weights, gradients, one spare copy (update / momentum)
    budget = float32_bytes + acts + params
    held = m["peak"] - m["rss_after_imports"]
    mem = {
        "peak": m["peak"], "ru_maxrss": m["ru_maxrss"], "rss_after_imports": m["rss_after_imports"],
        "peak_before_epoch": m["peak_before_epoch"],
        "rss_after_load": m["rss_after_load"], "peak_after_load": m["peak_after_load"],
        "rss_after_loader": m["rss_after_loader"],
        "peak_epoch": m["peak_epoch"], "peak_minus_baseline": held,
        "epoch_peak_minus_baseline": (m["peak_epoch"] - m["rss_after_imports"]) if m["peak_epoch"] else None,
        "dataset_float32_bytes": float32_bytes, "dataset_uint8_bytes": uint8_bytes,
        "loaded_images_dtype": m["images_dtype"], "loaded_images_nbytes": m["images_nbytes"],
        "batch_activation_bytes": acts, "parameter_bytes": params, "budget_bytes": budget,
        "peak_vs_float32": held / float32_bytes, "peak_vs_uint8": held / uint8_bytes,
        "pass": bool(held <= budget), "child_modules_loaded": m["modules_loaded"],
    }
    epoch = {k: m[k] for k in ("dataset", "n_images", "batch_size", "steps", "samples", "mean_loss",
                               "load_seconds", "epoch_seconds", "samples_per_s", "steps_per_s",
                               "blas_threads")}
    epoch.update(threads=threads, **w.info)
    return epoch, mem


# --------------------------------------------------------------------------
# profile
# --------------------------------------------------------------------------
PHASES = ("forward", "loss + dL/dlogits", "backward", "update")


def _phase_times(c, x, y, clock=time.perf_counter):
    """Seconds spent in each phase of one step of ``c`` (tinynet or ceiling)."""
    if isinstance(c, bc.TinynetStep):
        model, loss_fn, opt = c.model, c.loss_fn, c.opt
        t0 = clock()
        logits = model(x)
        t1 = clock()
        loss_fn(logits, y)
        opt.zero_grad()
        g = loss_fn.backward()
        t2 = clock()
        model.backward(g)
        t3 = clock()
        opt.step()
        t4 = clock()
    else:
        t0 = clock()
        c.forward(x)
        t1 = clock()
        c.loss_and_grad(y)
        t2 = clock()
        c.backward(x)
        t3 = clock()
        c.update()
        t4 = clock()
    return t1 - t0, t2 - t1, t3 - t2, t4 - t3


def _phases(contestants, seqs):
    """Median µs per phase for each contestant, alternating the contestants
    step by step so that machine noise hits them alike."""
    rows = {c.name: [] for c in contestants}
    for i in range(min(len(s) for s in seqs.values())):
        for c in contestants:
            rows[c.name].append(_phase_times(c, *seqs[c.name][i]))
    return {name: {ph: 1e6 * statistics.median(col) for ph, col in zip(PHASES, zip(*r))}
            for name, r in rows.items()}


def profile_tinynet(batch_size=10, steps=3000, top=25):
    """cProfile of tinynet's step, and per-phase timings of tinynet and the
    ceiling without the profiler (interleaved, 1 BLAS thread)."""
    import cProfile
    import io
    import pstats
    from threadpoolctl import threadpool_limits
    weights = bc.init_weights(0)
    tiny, ceil = bc.TinynetStep(weights, batch_size), bc.CeilingStep(weights, batch_size)
    pool = _make_batches(batch_size)
    seqs = {}
    for c in (tiny, ceil):
        data = [c.prepare(x, y) for x, y in pool]
        seqs[c.name] = [data[i % len(data)] for i in range(steps)]
    walls = {"tinynet": [], "ceiling": []}
    with threadpool_limits(limits=1):
        for c in (tiny, ceil):
            _run(c.step, seqs[c.name][:200])
        for _ in range(3):                       # interleaved, median of 3
            for c in (tiny, ceil):
                walls[c.name].append(_run(c.step, seqs[c.name]) / steps)
        med = _phases((tiny, ceil), seqs)
        prof = cProfile.Profile()
        prof.enable()
        _run(tiny.step, seqs["tinynet"])
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return {"batch_size": batch_size, "steps": steps,
            "us_per_step": {k: 1e6 * statistics.median(v) for k, v in walls.items()},
            "phases_us": med, "text": buf.getvalue()}


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------
def _disturbed_mark(rec):
    return " \\*" if rec.get("disturbed") else ""


def _verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def print_report(res):
    names = res["contestants"]
    eq = res["equivalence"]
    print("\n## Equivalence check (one float64 step from identical weights)\n")
    for rec in eq:
        diffs = ", ".join(f"{k.replace('_vs_', ' vs ')} {v:.1e}" for k, v in rec["max_abs_diff"].items())
        losses = ", ".join(f"{k} {v:.6f}" for k, v in rec["losses"].items())
        print(f"- batch {rec['batch_size']}: max abs weight difference {diffs or '—'} "
              f"(loss {losses}){'; ERRORS: ' + str(rec['errors']) if rec['errors'] else ''}")
    print(f"- verdict: {_verdict(res['equivalence_pass'])} (tolerance {res['equivalence_tolerance']:.0e})")

    print("\n## Training step, float32 (forward, loss, backward, SGD update): steps/s, median of "
          f"{res['settings']['repeats']} interleaved repeats\n")
    head = ("| threads | batch | " + " | ".join(names)
            + " | tinynet/torch | tinynet/ceiling | target (1 thread) | result | undisturbed rounds |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for cfg in res["steps"]:
        c, r, t = cfg["contestants"], cfg["ratios"], cfg["targets"]
        rates = [_fmt_rate(c.get(n, {}).get("steps_per_s")) for n in names]
        if t:
            target = f"≥{t['tinynet_vs_torch_min']:.2g}x torch, ≥{t['tinynet_vs_ceiling_min']:.0%} ceiling"
            result = f"{_verdict(t['torch_pass'])} / {_verdict(t['ceiling_pass'])}"
        else:
            target = result = "—"
        print(f"| {cfg['threads']} | {cfg['batch_size']} | " + " | ".join(rates)
              + f" | {_fmt_ratio(r.get('tinynet_vs_torch'))} | {_fmt_ratio(r.get('tinynet_vs_ceiling'))}"
              f" | {target} | {result} | {cfg['clean_rounds']}/{cfg['rounds']}{_disturbed_mark(cfg)} |")
    if any(cfg.get("disturbed") for cfg in res["steps"]):
        print("\n\\* disturbed: other processes kept using the cores these threads needed in most rounds; "
              "the figures (medians over all rounds) are unreliable, the ratios less so.")

    print("\n## Throughput: samples/s (and µs per step)\n")
    head = "| threads | batch | " + " | ".join(names) + " | spread (min–max, % of median) |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for cfg in res["steps"]:
        c = cfg["contestants"]
        cells, spreads = [], []
        for n in names:
            s = c.get(n, {})
            if "steps_per_s" in s:
                cells.append(f"{_fmt_rate(s['samples_per_s'])} ({s['us_per_step']:,.0f} µs)")
                spreads.append(f"{n} {100 * (s['max_steps_per_s'] - s['min_steps_per_s']) / s['steps_per_s']:.0f}%")
            else:
                cells.append("—")
        print(f"| {cfg['threads']} | {cfg['batch_size']} | " + " | ".join(cells) + " | " + ", ".join(spreads) + " |")

    print("\n## Whole runs\n")
    print("| run | wall time | notes |")
    print("|---|---|---|")
    for lec in res["lecture_runs"]:
        what = f"lecture baseline (300 MNIST images, batch 10, 100 epochs), {lec.get('threads', '—')} thread(s)"
        if lec.get("seconds") is None:
            print(f"| {what} | not measured | {lec.get('note', '')} |")
            continue
        if "steps_per_s" in lec:
            notes = f"{lec['source']}; {lec['steps_per_s']:,.0f} steps/s in training"
        else:
            notes = f"{lec['source']}; {lec['steps_per_s_incl_eval']:,.0f} steps/s including evaluation"
        if lec.get("test_accuracy") is not None:
            notes += f"; test accuracy {lec['test_accuracy']:.1%}"
        print(f"| {what} | {lec['seconds']:.2f} s{_disturbed_mark(lec)} | {notes} |")
    lab = res["lab"]
    note = (f"`{lab['command']}`, exit code {lab['returncode']}" if lab.get("measured")
            else lab.get("note", ""))
    print(f"| whole lab, 10 seeds | {_fmt_s(lab.get('seconds'))}{_disturbed_mark(lab)} | {note} |")
    for ep in res["full_epochs"]:
        what = f"one epoch, 60,000 Fashion-MNIST images, batch 100, {ep.get('threads', '—')} thread(s)"
        if ep.get("epoch_seconds") is None:
            print(f"| {what} | not measured | {ep.get('note', '')} |")
            continue
        print(f"| {what} | {ep['epoch_seconds']:.2f} s{_disturbed_mark(ep)} | "
              f"{ep['samples_per_s']:,.0f} samples/s, fresh process; loading the data took "
              f"{ep['load_seconds']:.2f} s |")
    if any(r.get("disturbed") for r in res["lecture_runs"] + res["full_epochs"] + [lab]):
        print("\n\\* disturbed: other processes used the CPU cores this run needed; its time is inflated.")

    mem = res["memory"]
    print(f"\n## Peak resident memory of that epoch (fresh subprocess, {mem.get('threads', '—')} thread(s))\n")
    if mem.get("peak") is None:
        print(f"not measured: {mem.get('note', '')}")
    else:
        print("| figure | MB |")
        print("|---|---|")
        print(f"| child's peak RSS (VmHWM over its whole life) | {mem['peak'] / MB:.1f} |")
        print(f"| child's ru_maxrss (getrusage) | {mem['ru_maxrss'] / MB:.1f} |")
        print(f"| RSS after importing numpy + tinynet (baseline) | {mem['rss_after_imports'] / MB:.1f} |")
        print(f"| peak while loading the data set | {mem['peak_before_epoch'] / MB:.1f} |")
        print(f"| RSS after loading the data set | {mem['rss_after_load'] / MB:.1f} |")
        print(f"| RSS once the model and the DataLoader exist | {mem['rss_after_loader'] / MB:.1f} |")
        if mem["peak_epoch"]:
            print(f"| peak during the epoch alone (VmHWM reset before it) | {mem['peak_epoch'] / MB:.1f} |")
        print(f"| **peak − baseline** | **{mem['peak_minus_baseline'] / MB:.1f}** |")
        print(f"| data set as float32 (60000·784·4) | {mem['dataset_float32_bytes'] / MB:.1f} |")
        print(f"| data set as uint8 | {mem['dataset_uint8_bytes'] / MB:.1f} |")
        print(f"| budget: float32 data set + one batch of activations + parameters | {mem['budget_bytes'] / MB:.1f} |")
        print(f"\nPeak − baseline is {mem['peak_vs_float32']:.2f}x the float32 data set and "
              f"{mem['peak_vs_uint8']:.2f}x the uint8 one (images held as {mem['loaded_images_dtype']}, "
              f"{mem['loaded_images_nbytes'] / MB:.1f} MB). Memory target: {_verdict(mem['pass'])}.")

    print("\n## Targets\n")
    for line in res["summary"]:
        print(f"- {line}")


def summarise(res):
    lines = []
    for cfg in res["steps"]:
        t = cfg["targets"]
        if not t:
            continue
        r = cfg["ratios"]
        got_t, got_c = r.get("tinynet_vs_torch"), r.get("tinynet_vs_ceiling")
        lines.append(f"batch {cfg['batch_size']}, 1 thread: tinynet/torch "
                     f"{'—' if got_t is None else f'{got_t:.3f}x'} "
                     f"(target ≥{t['tinynet_vs_torch_min']:.2g}x) {_verdict(t['torch_pass'])}; "
                     f"tinynet/ceiling {('—' if got_c is None else f'{got_c:.1%}')} "
                     f"(target ≥{t['tinynet_vs_ceiling_min']:.0%}) {_verdict(t['ceiling_pass'])}")
        if r.get("torch_vs_ceiling"):
            need = t["tinynet_vs_torch_min"] * r["torch_vs_ceiling"]
            lines[-1] += (f" — the ceiling itself is {1 / r['torch_vs_ceiling']:.2f}x torch here, so the torch "
                          f"target needs tinynet at ≥{need:.0%} of the ceiling")
    mem = res["memory"]
    if mem.get("pass") is not None:
        lines.append(f"memory: peak − baseline {mem['peak_minus_baseline'] / MB:.1f} MB vs budget "
                     f"{mem['budget_bytes'] / MB:.1f} MB {_verdict(mem['pass'])}")
    lines.append(f"equivalence of the contestants: {_verdict(res['equivalence_pass'])}")
    return lines


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(argv)
    root = data_dir(args.data_dir)
    res = {}
    print("# tinynet speed benchmark\n", flush=True)
    # 0. First of all, while this process is still small (no torch imported):
    #    the full-epoch runs in fresh children. Linux hands a parent's resident
    #    size at fork down to the child's ru_maxrss, so a child forked from a
    #    process holding torch would report torch's memory as its own.
    res["full_epochs"] = []
    res["memory"] = {"peak": None, "note": "not measured"}
    if args.no_epoch:
        note = "skipped"
        res["full_epochs"].append({"epoch_seconds": None, "note": note})
        res["memory"]["note"] = note
    else:
        for n_threads in args.threads:
            print(f"Full Fashion-MNIST epoch in a fresh subprocess, {n_threads} thread(s) ...", flush=True)
            try:
                epoch, mem = epoch_and_memory(root, n_threads)
                if res["memory"].get("peak") is None:   # the memory figure: first thread count
                    res["memory"] = dict(mem, threads=n_threads)
                res["full_epochs"].append(epoch)
                print(f"  {epoch['epoch_seconds']:.2f} s, peak RSS {mem['peak'] / MB:.1f} MB"
                      + ("  [DISTURBED]" if epoch.get("disturbed") else ""))
            except Exception as exc:
                note = f"failed: {type(exc).__name__}: {exc}"
                res["full_epochs"].append({"threads": n_threads, "epoch_seconds": None, "note": note})
                if res["memory"].get("peak") is None:
                    res["memory"]["note"] = note

    wanted = [n for n in CONTESTANTS if not (args.no_torch and n == "torch")]
    names, missing = bc.available(wanted)
    torch_mod = None
    if "torch" in names:
        import torch
        torch_mod = torch

    env = environment("torch" in names)
    print()
    print_environment(env)
    for name, why in missing.items():
        print(f"note: contestant {name} unavailable: {why}")

    res.update({"settings": {"quick": args.quick, "batches": args.batches, "threads": args.threads,
                        "repeats": args.repeats, "repeat_seconds": args.repeat_seconds,
                        "settle_seconds": args.settle, "max_rounds": args.max_rounds,
                        "data_dir": root, "argv": sys.argv[1:] if argv is None else list(argv)},
           "environment": env, "contestants": names, "missing_contestants": missing,
           "targets": {str(b): {"threads": TARGET_THREADS, "tinynet_vs_torch_min": t, "tinynet_vs_ceiling_min": c}
                       for b, (t, c) in TARGETS.items()}})

    # 1. equivalence: identical float64 weights in, identical weights out
    print("Equivalence check ...", flush=True)
    tol = 1e-10
    res["equivalence"] = [bc.equivalence_check(names, batch_size=b) for b in args.batches]
    res["equivalence_tolerance"] = tol
    worst = [r["max_abs_diff_overall"] for r in res["equivalence"] if r["max_abs_diff_overall"] is not None]
    errors = [r["errors"] for r in res["equivalence"] if r["errors"]]
    res["equivalence_max_abs_diff"] = max(worst) if worst else None
    res["equivalence_pass"] = bool(worst) and not errors and max(worst) <= tol and all(
        v > 1e-6 for r in res["equivalence"] for v in r["max_abs_update"].values())
    for r in res["equivalence"]:
        print(f"  batch {r['batch_size']}: max abs weight difference "
              + (", ".join(f"{k} {v:.2e}" for k, v in r["max_abs_diff"].items()) or "—")
              + (f"  ERRORS {r['errors']}" if r["errors"] else ""))
    if not res["equivalence_pass"]:
        print("  WARNING: the contestants do NOT compute the same step; the timings below compare "
              "different things.")

    # 2. per-step timing, interleaved
    print("Timing training steps (interleaved) ...", flush=True)
    gc.collect()
    res["steps"] = run_steps(args, names, torch_mod)

    # 3. whole runs, at each thread count
    tinynet_ok = "tinynet" in names
    res["lecture_runs"] = []
    if args.no_lecture or not tinynet_ok:
        res["lecture_runs"].append({"seconds": None, "note": "skipped" if args.no_lecture else "tinynet unavailable"})
    else:
        for n_threads in args.threads:
            print(f"Lecture baseline run, {n_threads} thread(s) ...", flush=True)
            time.sleep(args.settle)
            try:
                rec = lecture_run(root, n_threads)
            except Exception as exc:
                rec = {"threads": n_threads, "seconds": None, "note": f"failed: {type(exc).__name__}: {exc}"}
            res["lecture_runs"].append(rec)
            print(f"  {_fmt_s(rec.get('seconds'))}" + ("  [DISTURBED]" if rec.get("disturbed") else ""))
    if not (args.no_lab or args.quick):
        print("Whole lab (python -m experiments) ...", flush=True)
        res["lab"] = lab_run(root)
        print(f"  {_fmt_s(res['lab']['seconds'])} (exit code {res['lab']['returncode']})")
    else:
        res["lab"] = {"measured": False, "seconds": None, "note": "not measured (--quick or --no-lab)"}
    # 4. optional profile
    if args.profile and tinynet_ok:
        res["profile"] = profile_tinynet()

    res["summary"] = summarise(res)
    print_report(res)
    if "profile" in res:
        p = res["profile"]
        us = p["us_per_step"]
        print(f"\n## Where tinynet's step spends its time (batch {p['batch_size']}, 1 thread)\n")
        print("| phase | tinynet µs | ceiling µs | tinynet − ceiling |\n|---|---|---|---|")
        for ph in PHASES:
            t, c = p["phases_us"]["tinynet"][ph], p["phases_us"]["ceiling"][ph]
            print(f"| {ph} | {t:.1f} | {c:.1f} | {t - c:+.1f} |")
        print(f"| whole step (timed without phase clocks) | {us['tinynet']:.1f} | {us['ceiling']:.1f} | "
              f"{us['tinynet'] - us['ceiling']:+.1f} |")
        print(f"\ncProfile of tinynet's step ({p['steps']} steps; matrix products run inside the "
              "calling function, so they count as its own time):\n")
        print("```")
        print(p["text"].strip())
        print("```")

    out = Path(args.out)
    if not out.is_absolute():
        out = Path.cwd() / out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=str))
    print(f"\nAll figures written to {out}")
    return res


if __name__ == "__main__":
    main()
