"""The benchmark's command line and the order of its measurements (see the
package docstring for what is measured, and why)."""
import argparse
import json
import os
import sys
from pathlib import Path

from ..storage import atomic_write_text

DEFAULT_OUT = "results/benchmark.json"
EQUIVALENCE_TOLERANCE = 1e-10


def _whole_numbers(values):
    return [int(value) for value in " ".join(values).replace(",", " ").split()]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m experiments.benchmark",
        description="Speed benchmark: tinynet (this checkout, and others side by side) vs PyTorch "
                    "eager vs hand-tuned NumPy.")
    parser.add_argument("--compare", action="append", default=[], metavar="[NAME=]PATH",
                        help="also time the tinynet of the checkout at PATH, side by side in the "
                             "same rounds (as tinynet@NAME; NAME defaults to the folder's name); "
                             "may be given several times")
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
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="time slots by the wall clock (default) or by the worker's CPU time "
                             "(one thread only: time slices lost to other processes do not count)")
    parser.add_argument("--settle", type=float, default=0.3,
                        help="idle seconds before each timed slot when threads > 1, so that the "
                             "previous contestant's spinning BLAS/OpenMP threads go to sleep first "
                             "(default 0.3)")
    parser.add_argument("--no-checks", action="store_true",
                        help="do not time tinynet's step without each of its checks and without "
                             "the tape (what each costs per step; 1 thread)")
    parser.add_argument("--no-phases", action="store_true",
                        help="do not time the four phases of the step (forward, loss, backward, "
                             "update)")
    parser.add_argument("--callgrind", action="store_true",
                        help="count instructions per step with valgrind instead of timing "
                             "(deterministic; no PyTorch, no whole runs)")
    parser.add_argument("--callgrind-steps", type=int, default=100, metavar="K",
                        help="steps counted per contestant with --callgrind (default 100)")
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
                        help="print a cProfile of each tinynet's step (batch 10, 1 thread)")
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
    if (args.repeats < 1 or args.repeat_seconds <= 0 or min(args.batches) < 1
            or min(args.threads) < 1 or args.callgrind_steps < 1):
        parser.error("repeats, repeat-seconds, batches, threads and callgrind-steps must be positive")
    if args.clock == "cpu" and args.threads != [1]:
        parser.error("--clock cpu needs --threads 1 (a worker's CPU time counts all its threads)")
    from .workers import parse_checkouts
    try:
        args.checkouts = parse_checkouts(args.compare)
    except ValueError as error:
        parser.error(str(error))
    return args


def check_equivalence(workers, checkouts, entries, batches):
    """One float64 step of every contestant per batch size, each compared
    with the ceiling's, in its own worker; the verdict."""
    from .workers import REFERENCE

    print("Equivalence check ...", flush=True)
    checks = []
    for batch in batches:
        merged = {"batch_size": batch, "dtype": "float64", "losses": {}, "max_abs_diff": {},
                  "max_abs_update": {}, "errors": {}}
        for worker in [c.label for c in checkouts] + [REFERENCE]:
            specs = [[e.label, e.contestant, e.variant] for e in entries
                     if e.worker == worker and e.contestant != "ceiling"]
            if specs:
                found = workers.ask(worker, "equivalence", specs=specs, batch=batch)
                for key in ("losses", "max_abs_diff", "max_abs_update", "errors"):
                    merged[key].update(found[key])
        checks.append(merged)
    return equivalence_verdict(checks)


def equivalence_verdict(checks):
    """PASS when every contestant updated its weights and ends within the
    tolerance of the ceiling's, at every batch size; printed and returned."""
    worst = [diff for check in checks for diff in check["max_abs_diff"].values()]
    errors = [check["errors"] for check in checks if check["errors"]]
    updated = all(size > 1e-6 for check in checks for size in check["max_abs_update"].values())
    passed = bool(worst) and not errors and max(worst) <= EQUIVALENCE_TOLERANCE and updated
    for check in checks:
        print(f"  batch {check['batch_size']}: max abs weight difference from the ceiling "
              + (", ".join(f"{pair.replace('_vs_ceiling', '')} {diff:.2e}"
                           for pair, diff in check["max_abs_diff"].items()) or "—")
              + (f"  ERRORS {check['errors']}" if check["errors"] else ""))
    if not passed:
        print("  WARNING: the contestants do NOT compute the same step; the timings below compare "
              "different things.")
    return {"equivalence": checks, "equivalence_tolerance": EQUIVALENCE_TOLERANCE,
            "equivalence_max_abs_diff": max(worst) if worst else None, "equivalence_pass": passed}


def write_results(path, results):
    """The JSON, written whole or not at all (the lab's atomic writer)."""
    text = json.dumps(results, indent=2, default=str, allow_nan=False)
    atomic_write_text(path, text)


def _out_path(args):
    out = Path(args.out)
    return out if out.is_absolute() else Path.cwd() / out


def main(argv=None):
    args = parse_args(argv)
    try:
        from . import machine, tables, timing, whole_runs
        from .variants import VARIANTS
        from .workers import REFERENCE, Workers
    except ModuleNotFoundError as error:
        if error.name not in ("threadpoolctl", "psutil"):
            raise
        sys.exit(f"the benchmark needs {error.name}, which is not installed: "
                 'pip install -e ".[lab]"')
    root = str(Path(args.data_dir).resolve()) if args.data_dir else os.environ.get("TINYNET_DATA") or None
    checkouts, tinynets = args.checkouts, [c.label for c in args.checkouts]
    variants = [] if args.no_checks else list(VARIANTS)
    settings = {"quick": args.quick, "batches": args.batches, "threads": args.threads,
                "repeats": args.repeats, "repeat_seconds": args.repeat_seconds,
                "clock": args.clock, "settle_seconds": args.settle, "max_rounds": args.max_rounds,
                "data_dir": root, "checkouts": {c.label: str(c.path) for c in checkouts},
                "argv": sys.argv[1:] if argv is None else list(argv)}
    print("# tinynet speed benchmark\n", flush=True)

    if args.callgrind:
        from .instructions import count_instructions
        entries = timing.entries_for(checkouts, ["ceiling"], variants)
        results = {"settings": settings,
                   "instructions": count_instructions(entries, checkouts, args.batches,
                                                      steps=args.callgrind_steps)}
        tables.print_instructions(results["instructions"])
        write_results(_out_path(args), results)
        print(f"\nAll figures written to {_out_path(args)}")
        return results

    # 0. First, while this process is still small: the full-epoch runs in
    #    fresh children. Linux hands a parent's resident size at fork down
    #    to the child's ru_maxrss.
    results = {}
    results["full_epochs"], results["memory"] = whole_runs.measure_epochs(args, root)

    with Workers(checkouts) as workers:
        missing = {}
        if args.no_torch:
            missing["torch"] = "left out (--no-torch)"
        else:
            why = workers.ask(REFERENCE, "torch_missing")["why"]
            if why:
                missing["torch"] = why
        references = [name for name in ("torch", "ceiling") if name not in missing]
        entries = timing.entries_for(checkouts, references, variants)
        # 1. equivalence: identical float64 weights in, identical weights out
        results.update(check_equivalence(workers, checkouts, entries, args.batches))
        env = machine.environment(workers.ask_all("about"))
        print()
        machine.print_environment(env)
        for name, why in missing.items():
            print(f"note: contestant {name} unavailable: {why}")
        results.update({
            "settings": settings, "environment": env, "tinynets": tinynets,
            "contestants": tinynets + references, "missing_contestants": missing,
            "targets": {str(batch_size): {"threads": timing.TARGET_THREADS,
                                          "tinynet_vs_torch_min": vs_torch,
                                          "tinynet_vs_ceiling_min": vs_ceiling}
                        for batch_size, (vs_torch, vs_ceiling) in timing.TARGETS.items()},
        })
        # 2. per-step timing, interleaved; the phases; the profiles
        print("Timing training steps (interleaved) ...", flush=True)
        results["steps"] = timing.time_all(args, workers, entries, tinynets)
        if not args.no_phases:
            from .profiling import measure_phases
            print("Timing the phases of each step ...", flush=True)
            results["phases"] = measure_phases(workers, checkouts, args.batches,
                                               max(3, args.repeats // 2), args.repeat_seconds)
        if args.profile:
            from .profiling import profile_tinynets
            results["profile"] = profile_tinynets(workers, checkouts)

    # 3. whole runs (this checkout)
    results["lecture_runs"] = whole_runs.measure_lecture_runs(args, root)
    if args.no_lab or args.quick:
        results["lab"] = {"measured": False, "seconds": None, "note": "not measured (--quick or --no-lab)"}
    else:
        print("Whole lab (python -m experiments) ...", flush=True)
        results["lab"] = whole_runs.lab_run(root)
        print(f"  {tables.format_seconds(results['lab']['seconds'])} "
              f"(exit code {results['lab']['returncode']})")

    results["summary"] = tables.summary_lines(results)
    tables.print_report(results, VARIANTS)
    if "profile" in results:
        tables.print_profile(results["profile"])
    write_results(_out_path(args), results)
    print(f"\nAll figures written to {_out_path(args)}")
    return results
