"""Timing one training step of each contestant, interleaved.

Every contestant lives in a worker process (workers.py): tinynet of this
checkout and of each ``--compare`` checkout, with its ``--checks`` variants,
and the reference contestants (the ceiling, PyTorch). They are timed
*interleaved*: each round runs every contestant once, in a rotating order,
K steps each with K chosen so that a slot lasts about ``repeat_seconds``;
the figure is the median over ``repeats`` rounds, after a discarded warm-up.
The data is in memory (float32 in [0, 1), int64 labels); each worker sets
its own BLAS threads (threadpoolctl). The clock is the wall clock (default)
or, with one thread, the worker's CPU time (``--clock cpu``: time slices
lost to other processes do not count).
"""
import os
import statistics
import time
from typing import NamedTuple

import numpy as np

from .machine import CpuMonitor
from .workers import REFERENCE, WorkerError

# One BLAS thread: batch size -> (minimum tinynet/torch, minimum tinynet/ceiling).
TARGETS = {10: (3.0, 0.70), 100: (1.4, 0.85), 1000: (0.95, 0.90)}
TARGET_THREADS = 1


class Entry(NamedTuple):
    """One contestant to time: its label, the worker that runs it, what it is."""

    label: str                # "tinynet", "tinynet@main", "tinynet:direct", "torch", "ceiling"
    worker: str
    contestant: str           # "tinynet", "torch" or "ceiling"
    variant: str = "base"     # variants.py, tinynet only


def entries_for(checkouts, references, variants=()):
    """The contestants: each checkout's tinynet (and its variants), then the references."""
    entries = []
    for checkout in checkouts:
        entries.append(Entry(checkout.label, checkout.label, "tinynet"))
        entries += [Entry(f"{checkout.label}:{v}", checkout.label, "tinynet", v) for v in variants]
    return entries + [Entry(name, REFERENCE, name) for name in references]


def format_rate(steps_per_second):
    if steps_per_second is None:
        return "—"
    return f"{steps_per_second:,.0f}" if steps_per_second >= 100 else f"{steps_per_second:,.1f}"


def _make(workers, entries, batch_size):
    """The entries their workers could build, and {label: error} of the others."""
    made, errors = [], {}
    for entry in entries:
        try:
            workers.ask(entry.worker, "make", name=entry.label, contestant=entry.contestant,
                        variant=entry.variant, batch=batch_size)
            made.append(entry)
        except WorkerError as error:
            errors[entry.label] = str(error)
    return made, errors


def time_config(workers, entries, batch_size, repeats, repeat_seconds, threads=1,
                max_rounds=None, settle=0.0, clock="wall"):
    """Time the entries at one batch size, interleaved.

    Returns ({label: figures}, {rounds, clean_rounds, disturbed, monitored}).

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
    monitor = CpuMonitor(threads, workers.pids)
    max_rounds = max_rounds or 3 * repeats
    made, errors = _make(workers, entries, batch_size)
    steps = {}
    for entry in list(made):
        if settle:
            time.sleep(settle)
        try:
            steps[entry.label] = workers.ask(entry.worker, "calibrate", name=entry.label,
                                             seconds=repeat_seconds)["steps"]
        except WorkerError as error:    # its step fails: reported, not timed
            errors[entry.label] = str(error)
            made.remove(entry)

    rounds = []                         # [{"rates", "foreign_cpu_s", "disturbed"}, ...]
    losses = {}
    while made and len(rounds) < max_rounds:
        shift = len(rounds) % len(made)
        measured = {}
        for entry in made[shift:] + made[:shift]:
            if settle:
                time.sleep(settle)      # let the previous slot's worker threads go idle
            before = monitor.snapshot()
            slot = workers.ask(entry.worker, "run", name=entry.label, steps=steps[entry.label])
            foreign = monitor.foreign(before, monitor.snapshot())
            measured[entry.label] = (steps[entry.label] / slot[clock], foreign, slot["wall"])
            losses[entry.label] = slot["loss"]
        rounds.append({
            "rates": {label: rate for label, (rate, _, _) in measured.items()},
            "foreign_cpu_s": {label: foreign for label, (_, foreign, _) in measured.items()},
            "disturbed": any(monitor.disturbed(foreign, wall) for _, foreign, wall in measured.values()),
        })
        n_clean = sum(not r["disturbed"] for r in rounds)
        if n_clean >= repeats:
            break
        if len(rounds) >= 2 * repeats and n_clean < len(rounds) / 4:
            break                       # the machine stays busy: more rounds won't help
    workers.ask_all("drop")

    clean = [r for r in rounds if not r["disturbed"]]
    noisy = len(clean) < max(1, (repeats + 1) // 2)
    used = rounds if noisy else clean
    figures = {}
    for entry in made:
        rates = [r["rates"][entry.label] for r in used]
        median = statistics.median(rates)
        figures[entry.label] = {
            "steps_per_s": median, "samples_per_s": median * batch_size, "us_per_step": 1e6 / median,
            "min_steps_per_s": min(rates), "max_steps_per_s": max(rates), "repeats": rates,
            "all_rounds": [r["rates"][entry.label] for r in rounds],
            "foreign_cpu_s": [r["foreign_cpu_s"][entry.label] for r in rounds],
            "steps_per_repeat": steps[entry.label], "final_loss": losses[entry.label],
            "finite": bool(np.isfinite(losses[entry.label])),
        }
    for label, error in errors.items():
        figures[label] = {"error": error}
    meta = {"rounds": len(rounds), "clean_rounds": len(clean), "disturbed": noisy, "monitored": True}
    return figures, meta


def ratios_of(rates, tinynets):
    """Each tinynet (``tinynets``: labels) against torch and the ceiling, and
    torch against the ceiling, where both were measured."""
    pairs = [(t, other) for t in tinynets for other in ("torch", "ceiling")] + [("torch", "ceiling")]
    return {f"{first}_vs_{second}": rates[first] / rates[second]
            for first, second in pairs if rates.get(first) and rates.get(second)}


def check_costs(figures, variants):
    """{variant label: µs and share of its tinynet's step saved}, from the
    rounds in pairs: in each round the step and its variant ran one after
    the other, so the difference of a pair is less noisy than the
    difference of two medians."""
    costs = {}
    for label in variants:
        base, variant = figures.get(label.split(":")[0], {}), figures.get(label, {})
        if "repeats" not in base or "repeats" not in variant:
            continue
        saved = [1e6 / b - 1e6 / v for b, v in zip(base["repeats"], variant["repeats"])]
        costs[label] = {"us_saved": statistics.median(saved),
                        "share": statistics.median(s * b / 1e6 for s, b in
                                                   zip(saved, base["repeats"]))}
    return costs


def check_targets(threads, batch_size, ratios):
    """PASS/FAIL of each target for this configuration (None: it has none)."""
    if threads != TARGET_THREADS or batch_size not in TARGETS:
        return None
    want_torch, want_ceiling = TARGETS[batch_size]
    got_torch, got_ceiling = ratios.get("tinynet_vs_torch"), ratios.get("tinynet_vs_ceiling")
    return {"tinynet_vs_torch_min": want_torch, "tinynet_vs_ceiling_min": want_ceiling,
            "torch_pass": None if got_torch is None else bool(got_torch >= want_torch),
            "ceiling_pass": None if got_ceiling is None else bool(got_ceiling >= want_ceiling)}


def time_all(args, workers, entries, tinynets):
    """Every (thread count, batch size) configuration; one dict each. The
    variants (the cost of each check) are timed with one thread only."""
    configs = []
    for threads in args.threads:
        blas = workers.ask_all("threads", threads=threads)
        timed = [e for e in entries if threads == 1 or e.variant == "base"]
        for batch_size in args.batches:
            start = time.perf_counter()
            figures, meta = time_config(workers, timed, batch_size, args.repeats,
                                        args.repeat_seconds, threads=threads,
                                        max_rounds=args.max_rounds, clock=args.clock,
                                        settle=args.settle if threads > 1 else 0.0)
            rates = {label: figure.get("steps_per_s") for label, figure in figures.items()}
            ratios = ratios_of(rates, tinynets)
            configs.append({
                "threads": threads, "blas_threads_seen": {k: v["blas_threads"] for k, v in blas.items()},
                "batch_size": batch_size, "contestants": figures, "ratios": ratios,
                "check_costs": check_costs(figures, [e.label for e in timed if e.variant != "base"]),
                "seconds": time.perf_counter() - start,
                "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
                **meta, "targets": check_targets(threads, batch_size, ratios),
            })
            print(f"  threads {threads}, batch {batch_size:>5}: "
                  + ", ".join(f"{label} {format_rate(rate)}" for label, rate in rates.items())
                  + " steps/s" + "".join(f", {key} {value:.2f}" for key, value in ratios.items())
                  + f"  [{meta['clean_rounds']}/{meta['rounds']} rounds undisturbed"
                  + (", DISTURBED: other processes used the CPU]" if meta["disturbed"] else "]"),
                  flush=True)
    return configs
