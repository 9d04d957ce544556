"""``--callgrind``: instructions per step, counted by valgrind's callgrind.

Deterministic, so other processes on a shared machine do not disturb it
(a proxy for time, not time: see docs/performance.md). For each contestant
(each checkout's tinynet, its ``--checks`` variants, the ceiling; PyTorch
is left out, it takes minutes to start under valgrind) and batch size, the
worker script runs once with ``--steps K`` and once with 0 steps, after the
same warm-up; (instructions of the first - of the second) / K is the
instructions of one step.
"""
import re
import shutil
import subprocess
import sys

from .workers import REPO, WORKER, worker_env

COLLECTED = re.compile(r"Collected : (\d+)")
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _instructions(path, label, batch, steps, warmup):
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               str(WORKER), "--count", label, "--batch", str(batch), "--steps", str(steps),
               "--warmup", str(warmup)]
    # One BLAS thread: a second one's spinning would be counted too, and vary.
    env = dict(worker_env(path), **{name: "1" for name in ONE_THREAD})
    done = subprocess.run(command, cwd=path, env=env, capture_output=True, text=True)
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or not found:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{label} under valgrind exited with {done.returncode}: {last}")
    return int(found.group(1))


def count_instructions(entries, checkouts, batches, steps=100, warmup=20):
    """{batch: {label: instructions per step, or an error text}}."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--callgrind needs valgrind (e.g. apt-get install valgrind)")
    paths = {c.label: c.path for c in checkouts}
    counts = {}
    for batch in batches:
        counts[batch] = {}
        for entry in entries:
            if entry.contestant == "torch":
                continue
            label = entry.contestant if entry.variant == "base" else f"tinynet:{entry.variant}"
            path = paths.get(entry.worker, REPO)
            try:
                ir = [_instructions(path, label, batch, k, warmup) for k in (0, steps)]
                counts[batch][entry.label] = (ir[1] - ir[0]) / steps
            except RuntimeError as error:
                counts[batch][entry.label] = str(error)
            shown = counts[batch][entry.label]
            print(f"  batch {batch:>5} {entry.label:32s} "
                  + (f"{shown / 1e3:10.1f} k instructions/step" if isinstance(shown, float)
                     else shown), flush=True)
    return counts
