"""The benchmark's command line and the order of its measurements (see the
package docstring for what is measured, and why)."""
import argparse
import gc
import json
import os
import sys
from pathlib import Path

from ..storage import atomic_write_text

DEFAULT_OUT = "results/benchmark.json"
EQUIVALENCE_TOLERANCE = 1e-10
CONTESTANT_NAMES = ("tinynet", "torch", "ceiling")


def _whole_numbers(values):
    return [int(value) for value in " ".join(values).replace(",", " ").split()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m experiments.benchmark",
        description="Speed benchmark: tinynet vs PyTorch eager vs hand-tuned NumPy.")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3 short repeats, 1 thread, no whole lab (used by the tests)")
    parser.add_argument("--batches", nargs="+", default=None, metavar="N",
                        help="batch sizes (default 10 100 1000)")
    parser.add_argument("--threads", nargs="+", default=None, metavar="T",
                        help="BLAS thread counts (default 1 2; quick: 1)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repeats per contestant (default 7, quick 3)")
    parser.add_argument("--repeat-seconds", type=float, default=None,
                        help="target duration of one repeat (default 0.2 s, quick 0.04 s)")
    parser.add_argument("--settle", type=float, default=0.3,
                        help="idle seconds before each timed slot when threads > 1, so that the "
                             "previous contestant's spinning BLAS/OpenMP threads go to sleep first "
                             "(default 0.3)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ and fashion-mnist/ (default: tinynet's, "
                             "i.e. $TINYNET_DATA)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--no-lab", action="store_true",
                        help="skip timing the whole lab (python -m experiments, 10 seeds; ~3 minutes); "
                             "--quick skips it too")
    parser.add_argument("--no-epoch", action="store_true",
                        help="skip the full Fashion-MNIST epoch and its memory figure")
    parser.add_argument("--no-lecture", action="store_true", help="skip the lecture baseline run")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of tinynet's step (batch 10, 1 thread)")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        args.batches = _whole_numbers(args.batches) if args.batches else [10, 100, 1000]
        args.threads = _whole_numbers(args.threads) if args.threads else ([1] if args.quick else [1, 2])
    except ValueError as error:
        parser.error(f"--batches and --threads take whole numbers ({error})")
    if args.repeats is None:
        args.repeats = 3 if args.quick else 7
    if args.repeat_seconds is None:
        args.repeat_seconds = 0.04 if args.quick else 0.2
    args.max_rounds = (2 if args.quick else 3) * args.repeats
    if args.repeats < 1 or args.repeat_seconds <= 0 or min(args.batches) < 1 or min(args.threads) < 1:
        parser.error("repeats, repeat-seconds, batches and threads must be positive")
    return args


def measure_epochs(args, root):
    """The full-epoch children, at each thread count; (epochs, memory)."""
    from .tables import MB
    from .whole_runs import epoch_and_memory

    epochs, memory = [], {"peak": None, "note": "not measured"}
    if args.no_epoch:
        return [{"epoch_seconds": None, "note": "skipped"}], {"peak": None, "note": "skipped"}
    for threads in args.threads:
        print(f"Full Fashion-MNIST epoch in a fresh subprocess, {threads} thread(s) ...", flush=True)
        try:
            epoch, child_memory = epoch_and_memory(root, threads)
        except Exception as error:  # noqa: BLE001 - the table says "not measured" and why
            note = f"failed: {type(error).__name__}: {error}"
            epochs.append({"threads": threads, "epoch_seconds": None, "note": note})
            if memory.get("peak") is None:
                memory["note"] = note
            continue
        if memory.get("peak") is None:          # the memory figure: the first thread count
            memory = dict(child_memory, threads=threads)
        epochs.append(epoch)
        print(f"  {epoch['epoch_seconds']:.2f} s, peak RSS {child_memory['peak'] / MB:.1f} MB"
              + ("  [DISTURBED]" if epoch.get("disturbed") else ""))
    return epochs, memory


def check_equivalence(names, batches):
    """One float64 step of each contestant per batch size; the verdict."""
    from .contestants import equivalence_check

    print("Equivalence check ...", flush=True)
    checks = [equivalence_check(names, batch_size=batch_size) for batch_size in batches]
    worst = [check["max_abs_diff_overall"] for check in checks if check["max_abs_diff_overall"] is not None]
    errors = [check["errors"] for check in checks if check["errors"]]
    updated = all(size > 1e-6 for check in checks for size in check["max_abs_update"].values())
    passed = bool(worst) and not errors and max(worst) <= EQUIVALENCE_TOLERANCE and updated
    for check in checks:
        print(f"  batch {check['batch_size']}: max abs weight difference "
              + (", ".join(f"{pair} {diff:.2e}" for pair, diff in check["max_abs_diff"].items()) or "—")
              + (f"  ERRORS {check['errors']}" if check["errors"] else ""))
    if not passed:
        print("  WARNING: the contestants do NOT compute the same step; the timings below compare "
              "different things.")
    return {"equivalence": checks, "equivalence_tolerance": EQUIVALENCE_TOLERANCE,
            "equivalence_max_abs_diff": max(worst) if worst else None, "equivalence_pass": passed}


def measure_lecture_runs(args, root):
    from .tables import format_seconds
    from .whole_runs import lecture_run

    if args.no_lecture:
        return [{"seconds": None, "note": "skipped"}]
    runs = []
    for threads in args.threads:
        print(f"Lecture baseline run, {threads} thread(s) ...", flush=True)
        try:
            run = lecture_run(root, threads)
        except Exception as error:  # noqa: BLE001 - the table says "not measured" and why
            run = {"threads": threads, "seconds": None, "note": f"failed: {type(error).__name__}: {error}"}
        runs.append(run)
        print(f"  {format_seconds(run.get('seconds'))}" + ("  [DISTURBED]" if run.get("disturbed") else ""))
    return runs


def write_results(path, results):
    """The JSON, written whole or not at all (the lab's atomic writer)."""
    text = json.dumps(results, indent=2, default=str, allow_nan=False)
    atomic_write_text(path, text)


def main(argv=None):
    args = parse_args(argv)
    try:
        from . import contestants, machine, tables, timing
        from .whole_runs import lab_run
    except ModuleNotFoundError as error:
        if error.name not in ("threadpoolctl", "psutil"):
            raise
        sys.exit(f"the benchmark needs {error.name}, which is not installed: "
                 'pip install -e ".[lab]"')
    root = str(Path(args.data_dir).resolve()) if args.data_dir else os.environ.get("TINYNET_DATA") or None
    results = {}
    print("# tinynet speed benchmark\n", flush=True)

    # 0. First, while this process is still small (no torch imported): the
    #    full-epoch runs in fresh children. Linux hands a parent's resident
    #    size at fork down to the child's ru_maxrss, so a child forked from a
    #    process holding torch would report torch's memory as its own.
    results["full_epochs"], results["memory"] = measure_epochs(args, root)

    wanted = [name for name in CONTESTANT_NAMES if not (args.no_torch and name == "torch")]
    names, missing = contestants.available(wanted)
    torch_module = None
    if "torch" in names:
        import torch
        torch_module = torch
    env = machine.environment(torch_module)
    print()
    machine.print_environment(env)
    for name, why in missing.items():
        print(f"note: contestant {name} unavailable: {why}")
    results.update({
        "settings": {"quick": args.quick, "batches": args.batches, "threads": args.threads,
                     "repeats": args.repeats, "repeat_seconds": args.repeat_seconds,
                     "settle_seconds": args.settle, "max_rounds": args.max_rounds, "data_dir": root,
                     "argv": sys.argv[1:] if argv is None else list(argv)},
        "environment": env, "contestants": names, "missing_contestants": missing,
        "targets": {str(batch_size): {"threads": timing.TARGET_THREADS, "tinynet_vs_torch_min": vs_torch,
                                      "tinynet_vs_ceiling_min": vs_ceiling}
                    for batch_size, (vs_torch, vs_ceiling) in timing.TARGETS.items()},
    })

    # 1. equivalence: identical float64 weights in, identical weights out
    results.update(check_equivalence(names, args.batches))

    # 2. per-step timing, interleaved
    print("Timing training steps (interleaved) ...", flush=True)
    gc.collect()
    results["steps"] = timing.time_all(args, names, torch_module)

    # 3. whole runs
    results["lecture_runs"] = measure_lecture_runs(args, root)
    if args.no_lab or args.quick:
        results["lab"] = {"measured": False, "seconds": None, "note": "not measured (--quick or --no-lab)"}
    else:
        print("Whole lab (python -m experiments) ...", flush=True)
        results["lab"] = lab_run(root)
        print(f"  {tables.format_seconds(results['lab']['seconds'])} "
              f"(exit code {results['lab']['returncode']})")

    # 4. optional profile
    if args.profile:
        from .profiling import profile_tinynet
        results["profile"] = profile_tinynet()

    results["summary"] = tables.summary_lines(results)
    tables.print_report(results)
    if "profile" in results:
        from .profiling import print_profile
        print_profile(results["profile"])

    out = Path(args.out)
    if not out.is_absolute():
        out = Path.cwd() / out
    write_results(out, results)
    print(f"\nAll figures written to {out}")
    return results
