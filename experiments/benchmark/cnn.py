"""The CNN part of ``python -m experiments.benchmark``: the training step of
the simple CNN (network.py's ``cnn``) of each checkout's tinynet against
PyTorch eager, one BLAS thread, at batch 10 and 100 (``--cnn-batches``).

* the equivalence check first (equivalence.py: 3 steps against PyTorch's,
  in float64 and in float32);
* the steps timed interleaved (timing.py), in fresh workers per batch size
  (see :func:`measure`), with the minor page faults of each step (the
  operating system mapping memory in again);
* the peak resident memory of the step, in a fresh process per contestant
  and batch size (step_worker.py ``--memory``);
* on request: each layer's forward and backward (``--cnn-layers``), the
  alternative designs of designs.py in workers of their own
  (``--cnn-designs``), and every contestant again in a twin worker whose
  C library keeps the memory it frees (``--malloc-kept``, below).

Targets, one thread: tinynet at least 1.0x PyTorch's speed at batch 10 and
0.5x at batch 100 (timing.CNN_TARGETS).

``--malloc-kept``: glibc hands large freed blocks back to the operating
system, and the next step faults them in again page by page. A twin worker
started with ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_`` set
(workers.MALLOC_KEPT) keeps them; its contestants are labelled ``+malloc_kept``.
tinynet never sets these itself: they change the allocator of the whole
process, whatever else it runs.
"""
import json
import statistics
import subprocess
import sys

from .designs import DESIGNS
from .equivalence import check_equivalence
from .instructions import ONE_THREAD
from .timing import CNN_TARGETS, Entry, format_rate, time_config
from .workers import (KEPT, MALLOC_KEPT, REFERENCE, REPO, WORKER, Extra, WorkerError, Workers,
                      worker_env)

MEMORY_STEPS = 5


def plan(checkouts, torch, designs=(), malloc_kept=False):
    """(entries, extras): the CNN's contestants (each checkout's tinynet,
    torch when ``torch``, the twins, the designs) and the workers they need
    beyond one per checkout and the reference."""
    entries = [Entry(c.label, c.label, "tinynet", workload="cnn") for c in checkouts]
    if torch:
        entries.append(Entry("torch", REFERENCE, "torch", workload="cnn"))
    extras = []
    if malloc_kept:
        paths = {c.label: c.path for c in checkouts}
        for entry in list(entries):
            key = entry.worker + KEPT
            extras.append(Extra(key, paths.get(entry.worker, REPO), MALLOC_KEPT))
            entries.append(entry._replace(label=entry.label + KEPT, worker=key))
    for design in designs:
        key = f"tinynet:{design}"
        extras.append(Extra(key, REPO, {}))
        entries.append(Entry(key, key, "tinynet", design, "cnn"))
    return entries, extras


def install_designs(workers, entries):
    """Install each design in its worker; the entries left, and {label: error}."""
    kept, errors = [], {}
    for entry in entries:
        if entry.variant in DESIGNS:
            try:
                workers.ask(entry.worker, "install", design=entry.variant)
            except WorkerError as error:
                errors[entry.label] = str(error)
                continue
        kept.append(entry)
    return kept, errors


def ratios_of(rates, tinynets):
    """Each tinynet against torch (and each twin against torch's twin), each
    design against tinynet: speed over speed, so above 1 is faster."""
    pairs = [(t, "torch") for t in tinynets] + [(t + KEPT, "torch" + KEPT) for t in tinynets]
    pairs += [(label, "tinynet") for label in rates if label.split(":")[-1] in DESIGNS]
    return {f"{first}_vs_{second}": rates[first] / rates[second]
            for first, second in pairs if rates.get(first) and rates.get(second)}


def check_targets(batch_size, ratios):
    """PASS/FAIL of this batch size's target (None: it has none, or no torch)."""
    if batch_size not in CNN_TARGETS:
        return None
    got = ratios.get("tinynet_vs_torch")
    return {"tinynet_vs_torch_min": CNN_TARGETS[batch_size],
            "torch_pass": None if got is None else bool(got >= CNN_TARGETS[batch_size])}


def time_batch(args, workers, entries, tinynets, batch_size):
    """The CNN's step at one batch size, interleaved, one BLAS thread."""
    figures, meta = time_config(workers, entries, batch_size, args.repeats, args.repeat_seconds,
                                threads=1, max_rounds=args.max_rounds, clock=args.clock)
    rates = {label: figure.get("steps_per_s") for label, figure in figures.items()}
    ratios = ratios_of(rates, tinynets)
    print(f"  CNN, batch {batch_size:>4}: "
          + ", ".join(f"{label} {format_rate(rate)}" for label, rate in rates.items())
          + " steps/s" + "".join(f", {key} {value:.2f}" for key, value in ratios.items())
          + f"  [{meta['clean_rounds']}/{meta['rounds']} rounds undisturbed]", flush=True)
    return {"threads": 1, "batch_size": batch_size, "contestants": figures, "ratios": ratios,
            **meta, "targets": check_targets(batch_size, ratios)}


def layer_times(workers, entries, batch, rounds, repeats):
    """{label: {"<index> <layer> forward|backward": median µs}} of every
    tinynet entry but the twins: per round, each entry's medians over
    ``repeats`` calls, the order rotating; then the median over the rounds."""
    timed = [e for e in entries if e.contestant == "tinynet" and not e.label.endswith(KEPT)]
    for entry in timed:
        workers.ask(entry.worker, "make", name=entry.label, contestant="tinynet",
                    variant=entry.variant, batch=batch, workload="cnn")
    seen = {entry.label: [] for entry in timed}
    for r in range(rounds):
        shift = r % len(timed)
        for entry in timed[shift:] + timed[:shift]:
            seen[entry.label].append(workers.ask(entry.worker, "layers", name=entry.label,
                                                 repeats=repeats)["layers"])
    workers.ask_all("drop")
    print(f"  CNN layers, batch {batch}: {rounds} rounds of {repeats} calls", flush=True)
    return {label: {key: statistics.median(row[key] for row in rows) for key in rows[0]}
            for label, rows in seen.items()}


def step_memory(checkouts, batches, torch, designs=(), steps=MEMORY_STEPS):
    """{batch: {label: figures}}: each contestant's steps (each checkout's
    tinynet, torch, this checkout's ``designs``) in a fresh process, one BLAS
    thread (step_worker.py ``--memory``): the peak resident memory of
    ``steps`` steps above the resident size before the first."""
    runs = [(c.label, c.path, "tinynet") for c in checkouts] + ([("torch", REPO, "torch")] if torch else [])
    runs += [(f"tinynet:{design}", REPO, f"tinynet:{design}") for design in designs]
    results = {}
    for batch in batches:
        results[batch] = {}
        for label, path, contestant in runs:
            command = [sys.executable, str(WORKER), "--memory", contestant, "--workload", "cnn",
                       "--batch", str(batch), "--steps", str(steps)]
            env = worker_env(path, {name: "1" for name in ONE_THREAD})
            done = subprocess.run(command, cwd=path, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["no output"])[-1]
                results[batch][label] = {"error": f"exited with {done.returncode}: {last}"}
            else:
                results[batch][label] = json.loads(done.stdout.strip().splitlines()[-1])
    print("  CNN step memory: " + "; ".join(
        f"batch {batch} " + ", ".join(f"{label} {(figures.get('step_peak') or 0) / 1e6:.1f} MB"
                                      for label, figures in by_label.items() if "error" not in figures)
        for batch, by_label in results.items()), flush=True)
    return results


def measure(args, checkouts, entries, extras, memory):
    """Everything the CNN measures in worker processes, as one dict
    (``memory``: step_memory's). The equivalence check runs in workers of
    its own, and each batch size is timed in fresh ones: glibc sets its
    thresholds for returning memory from the largest block a process has
    freed so far, so a worker that once ran a larger step (the float64
    check, another batch size) would fault less than a fresh training
    process does."""
    tinynets = [c.label for c in checkouts]
    with Workers(checkouts, extras=extras) as workers:
        entries, errors = install_designs(workers, entries)
        if any(entry.label == "torch" for entry in entries):
            checked = check_equivalence(workers, entries, args.cnn_batches, "cnn")
        else:
            checked = {"equivalence": [], "equivalence_pass": None,
                       "equivalence_note": "not checked: PyTorch, the reference, is missing"}
    print("Timing the CNN's training steps (interleaved, 1 thread, fresh workers per batch "
          "size) ...", flush=True)
    steps, layers = [], {}
    for batch in args.cnn_batches:
        with Workers(checkouts, extras=extras) as workers:
            install_designs(workers, entries)
            workers.ask_all("threads", threads=1)
            steps.append(time_batch(args, workers, entries, tinynets, batch))
            if args.cnn_layers:
                layers[batch] = layer_times(workers, entries, batch, rounds=max(3, args.repeats // 2),
                                            repeats=3 if args.quick else max(3, 300 // batch))
    return {"contestants": [entry.label for entry in entries], "tinynets": tinynets,
            "design_errors": errors, **checked, "steps": steps, "memory": memory,
            "layers": layers or None, "targets": {str(b): want for b, want in CNN_TARGETS.items()},
            "malloc_kept": MALLOC_KEPT if args.malloc_kept else None}
