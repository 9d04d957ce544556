"""Timing one training step of each contestant, interleaved.

Contestants are timed *interleaved*: each round runs every contestant once
(in a rotating order), K steps each with K chosen so that a slot lasts
about ``repeat_seconds``; the figure is the median over ``repeats`` rounds,
after a discarded warm-up. The data is in memory (float32 in [0, 1), int64
labels), BLAS threads are set with threadpoolctl.
"""
import os
import statistics
import time

import numpy as np

from . import contestants
from .machine import CpuMonitor, ThreadLimit

# One BLAS thread: batch size -> (minimum tinynet/torch, minimum tinynet/ceiling).
TARGETS = {10: (3.0, 0.70), 100: (1.4, 0.85), 1000: (0.95, 0.90)}
TARGET_THREADS = 1


def make_batches(batch_size, n_batches=8, seed=1):
    """A small pool of in-memory batches: float32 in [0, 1) and int64 labels."""
    rng = np.random.default_rng(seed + batch_size)
    return [(rng.random((batch_size, contestants.SIZES[0]), dtype=np.float32),
             rng.integers(0, contestants.SIZES[-1], batch_size, dtype=np.int64))
            for _ in range(n_batches)]


def run_steps(step, batches):
    """Seconds taken by ``step(x, y)`` over every batch of ``batches``."""
    start = time.perf_counter()
    for x, y in batches:
        step(x, y)
    return time.perf_counter() - start


def format_rate(steps_per_second):
    if steps_per_second is None:
        return "—"
    return f"{steps_per_second:,.0f}" if steps_per_second >= 100 else f"{steps_per_second:,.1f}"


def time_config(names, batch_size, repeats, repeat_seconds, threads=1, seed=0, max_rounds=None,
                settle=0.0):
    """Time the contestants at one batch size, interleaved.

    Returns ({name: figures}, {rounds, clean_rounds, disturbed, monitored}).

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
    weights = contestants.init_weights(seed)
    pool = make_batches(batch_size)
    made, prepared, errors = {}, {}, {}
    for name in names:
        try:
            contestant = contestants.ALL[name](weights, batch_size)
            made[name] = contestant
            prepared[name] = [contestant.prepare(x, y) for x, y in pool]
        except Exception as error:  # noqa: BLE001 - reported in the table and the JSON
            errors[name] = f"{type(error).__name__}: {error}"

    # warm-up (discarded), then the steps per slot so that a slot lasts about repeat_seconds
    steps_per_slot = {}
    for name, contestant in made.items():
        batches = prepared[name]
        if settle:
            time.sleep(settle)
        run_steps(contestant.step, batches[:3])
        steps, spent = 0, 0.0
        while spent < repeat_seconds / 2 or steps < 3:
            spent += run_steps(contestant.step, batches)
            steps += len(batches)
        steps_per_slot[name] = max(3, round(repeat_seconds / (spent / steps)))
    slots = {name: [prepared[name][i % len(pool)] for i in range(steps_per_slot[name])]
             for name in made}

    order = list(made)
    rounds = []                         # [{"rates", "foreign_cpu_s", "disturbed"}, ...]
    while order and len(rounds) < max_rounds:
        shift = len(rounds) % len(order)
        measured = {}
        for name in order[shift:] + order[:shift]:
            if settle:
                time.sleep(settle)      # let the previous slot's worker threads go idle
            before = monitor.snapshot()
            wall = run_steps(made[name].step, slots[name])
            foreign = monitor.foreign(before, monitor.snapshot())
            measured[name] = (steps_per_slot[name] / wall, foreign, wall)
        rounds.append({
            "rates": {name: rate for name, (rate, _, _) in measured.items()},
            "foreign_cpu_s": {name: foreign for name, (_, foreign, _) in measured.items()},
            "disturbed": any(monitor.disturbed(foreign, wall) for _, foreign, wall in measured.values()),
        })
        n_clean = sum(not r["disturbed"] for r in rounds)
        if n_clean >= repeats:
            break
        if len(rounds) >= 2 * repeats and n_clean < len(rounds) / 4:
            break                       # the machine stays busy: more rounds won't help

    clean = [r for r in rounds if not r["disturbed"]]
    noisy = len(clean) < max(1, (repeats + 1) // 2)
    used = rounds if noisy else clean
    figures = {}
    for name, contestant in made.items():
        loss = float(contestant.step(*prepared[name][0]))
        rates = [r["rates"][name] for r in used]
        median = statistics.median(rates)
        figures[name] = {
            "steps_per_s": median, "samples_per_s": median * batch_size, "us_per_step": 1e6 / median,
            "min_steps_per_s": min(rates), "max_steps_per_s": max(rates), "repeats": rates,
            "all_rounds": [r["rates"][name] for r in rounds],
            "foreign_cpu_s": [r["foreign_cpu_s"][name] for r in rounds],
            "steps_per_repeat": steps_per_slot[name], "final_loss": loss,
            "finite": bool(np.isfinite(loss)),
        }
    for name, error in errors.items():
        figures[name] = {"error": error}
    meta = {"rounds": len(rounds), "clean_rounds": len(clean), "disturbed": noisy, "monitored": True}
    return figures, meta


def ratios_of(rates):
    """tinynet/torch, tinynet/ceiling and torch/ceiling, where both were measured."""
    ratios = {}
    for first, second in (("tinynet", "torch"), ("tinynet", "ceiling"), ("torch", "ceiling")):
        if rates.get(first) and rates.get(second):
            ratios[f"{first}_vs_{second}"] = rates[first] / rates[second]
    return ratios


def check_targets(threads, batch_size, ratios):
    """PASS/FAIL of each target for this configuration (None: it has none)."""
    if threads != TARGET_THREADS or batch_size not in TARGETS:
        return None
    want_torch, want_ceiling = TARGETS[batch_size]
    got_torch, got_ceiling = ratios.get("tinynet_vs_torch"), ratios.get("tinynet_vs_ceiling")
    return {"tinynet_vs_torch_min": want_torch, "tinynet_vs_ceiling_min": want_ceiling,
            "torch_pass": None if got_torch is None else bool(got_torch >= want_torch),
            "ceiling_pass": None if got_ceiling is None else bool(got_ceiling >= want_ceiling)}


def time_all(args, names, torch_module):
    """Every (thread count, batch size) configuration; one dict each."""
    configs = []
    for threads in args.threads:
        with ThreadLimit(threads, torch_module) as limit:
            for batch_size in args.batches:
                start = time.perf_counter()
                figures, meta = time_config(names, batch_size, args.repeats, args.repeat_seconds,
                                            threads=threads, max_rounds=args.max_rounds,
                                            settle=args.settle if threads > 1 else 0.0)
                rates = {name: figure.get("steps_per_s") for name, figure in figures.items()}
                ratios = ratios_of(rates)
                configs.append({
                    "threads": threads, "blas_threads_seen": limit.blas_threads,
                    "batch_size": batch_size, "contestants": figures, "ratios": ratios,
                    "seconds": time.perf_counter() - start,
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
                    **meta, "targets": check_targets(threads, batch_size, ratios),
                })
                print(f"  threads {threads}, batch {batch_size:>5}: "
                      + ", ".join(f"{name} {format_rate(rate)}" for name, rate in rates.items())
                      + " steps/s" + "".join(f", {key} {value:.2f}" for key, value in ratios.items())
                      + f"  [{meta['clean_rounds']}/{meta['rounds']} rounds undisturbed"
                      + (", DISTURBED: other processes used the CPU]" if meta["disturbed"] else "]"),
                      flush=True)
    return configs
