"""The equivalence check: contestants that compute different things are not
compared.

Before anything is timed, every contestant (each checkout's tinynet, its
variants and designs, torch, the ceiling) trains a few steps of the
workload in its own worker, from the same initial weights and batches, and
writes its weights to a file; they must end within a tolerance of the
reference's, and every contestant must have moved its weights:

    mlp   reference: the ceiling; 1 step in float64, within 1e-10
    cnn   reference: PyTorch;     3 steps, within 1e-12 in float64 and 1e-6 in float32
"""
import tempfile
from pathlib import Path

import numpy as np

from .contestants import compare_weights
from .network import WORKLOADS, init_weights
from .workers import WorkerError

CHECKS = {   # workload -> (reference, steps, {dtype: tolerance})
    "mlp": ("ceiling", 1, {"float64": 1e-10}),
    "cnn": ("torch", 3, {"float64": 1e-12, "float32": 1e-6}),
}
MOVED = 1e-6                 # the least a contestant's weights must move to count as updated


def _load(path):
    with np.load(path) as arrays:
        flat = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    return list(zip(flat[0::2], flat[1::2]))


def check_equivalence(workers, entries, batches, workload):
    """Train every entry per batch size and dtype (in its worker); the verdict."""
    reference, steps, tolerances = CHECKS[workload]
    print(f"Equivalence check, {workload} ...", flush=True)
    checks = []
    with tempfile.TemporaryDirectory(prefix="tinynet-equivalence-") as folder:
        for batch in batches:
            for dtype in tolerances:
                losses, trained, errors = {}, {}, {}
                for index, entry in enumerate(entries):
                    path = Path(folder) / f"{index}.npz"
                    try:
                        losses[entry.label] = workers.ask(
                            entry.worker, "trained_weights", contestant=entry.contestant,
                            variant=entry.variant, workload=workload, batch=batch, dtype=dtype,
                            steps=steps, path=str(path))["losses"]
                        trained[entry.label] = _load(path)
                    except WorkerError as error:
                        errors[entry.label] = str(error)
                checks.append({"workload": workload, "batch_size": batch, "dtype": dtype,
                               "steps": steps, "reference": reference, "losses": losses,
                               "errors": errors,
                               **compare_weights(trained, reference,
                                                 init_weights(0, WORKLOADS[workload]))})
    return verdict(checks)


def verdict(checks):
    """PASS when every contestant moved its weights and ends within its
    dtype's tolerance of the reference's, in every check; printed and returned."""
    reference, _, tolerances = CHECKS[checks[0]["workload"]]
    worst = {}
    for check in checks:
        diffs = list(check["max_abs_diff"].values())
        if diffs:
            worst[check["dtype"]] = max(worst.get(check["dtype"], 0.0), *diffs)
    passed = (bool(worst) and all(check["max_abs_diff"] and not check["errors"] for check in checks)
              and all(worst[dtype] <= tolerances[dtype] for dtype in worst)
              and all(size > MOVED for check in checks for size in check["max_abs_update"].values()))
    for check in checks:
        print(f"  batch {check['batch_size']}, {check['dtype']}, {check['steps']} step(s): max abs "
              f"weight difference from {reference}: "
              + (", ".join(f"{pair.split('_vs_')[0]} {diff:.2e}"
                           for pair, diff in check["max_abs_diff"].items()) or "—")
              + (f"  ERRORS {check['errors']}" if check["errors"] else ""))
    if not passed:
        print("  WARNING: the contestants do NOT compute the same step; the timings below compare "
              "different things.")
    return {"equivalence": checks, "equivalence_reference": reference,
            "equivalence_tolerance": tolerances, "equivalence_max_abs_diff": worst,
            "equivalence_pass": passed}
