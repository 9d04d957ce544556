"""The benchmark's command line and the order of its measurements (see the
package docstring for what is measured, and why)."""
import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from ..storage import atomic_write_text
from .designs import DESIGNS
from .workers import MALLOC_KEPT

DEFAULT_OUT = "results/benchmark.json"


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
                        help="steps of the MLP counted per contestant with --callgrind (default 100)")
    parser.add_argument("--no-mlp", action="store_true",
                        help="leave out the MLP's step (its equivalence check, timing, phases, "
                             "checks and profile)")
    parser.add_argument("--no-cnn", action="store_true", help="leave out the CNN's step")
    parser.add_argument("--cnn-batches", nargs="+", default=None, metavar="N",
                        help="batch sizes of the CNN (default 10 100)")
    parser.add_argument("--cnn-layers", action="store_true",
                        help="also time each layer of each tinynet's CNN, forward and backward")
    parser.add_argument("--cnn-designs", nargs="+", default=[], metavar="NAME",
                        help="also time (or, with --callgrind, count) the CNN with each of these "
                             "alternative designs of this checkout's layers, each in a worker of "
                             f"its own: {', '.join(DESIGNS)}, or all")
    parser.add_argument("--malloc-kept", action="store_true",
                        help="also time every CNN contestant in a twin worker whose C library "
                             "keeps freed memory (" + " ".join(f"{k}={v}" for k, v in MALLOC_KEPT.items())
                             + "), labelled +malloc_kept")
    parser.add_argument("--cnn-callgrind-steps", type=int, default=4, metavar="K",
                        help="steps of the CNN counted per contestant with --callgrind (default 4)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ and fashion-mnist/ (default: tinynet's, "
                             "i.e. $TINYNET_DATA)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--no-lab", action="store_true",
                        help="skip timing the whole lab (python -m experiments, 10 seeds; several minutes); "
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
        args.cnn_batches = _whole_numbers(args.cnn_batches) if args.cnn_batches else [10, 100]
    except ValueError as error:
        parser.error(f"--batches, --cnn-batches and --threads take whole numbers ({error})")
    if args.cnn_designs == ["all"]:
        args.cnn_designs = list(DESIGNS)
    unknown = [name for name in args.cnn_designs if name not in DESIGNS]
    if unknown:
        parser.error(f"--cnn-designs: unknown design(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(DESIGNS)}, or all")
    if args.no_mlp and args.no_cnn:
        parser.error("--no-mlp and --no-cnn leave nothing to time")
    if args.repeats is None:
        args.repeats = 3 if args.quick else 7
    if args.repeat_seconds is None:
        args.repeat_seconds = 0.04 if args.quick else 0.2
    args.max_rounds = (2 if args.quick else 3) * args.repeats
    if (args.repeats < 1 or args.repeat_seconds <= 0 or min(args.batches + args.cnn_batches) < 1
            or min(args.threads) < 1 or min(args.callgrind_steps, args.cnn_callgrind_steps) < 1):
        parser.error("repeats, repeat-seconds, batches, threads and callgrind steps must be positive")
    if args.clock == "cpu" and args.threads != [1]:
        parser.error("--clock cpu needs --threads 1 (a worker's CPU time counts all its threads)")
    from .workers import parse_checkouts
    try:
        args.checkouts = parse_checkouts(args.compare)
    except ValueError as error:
        parser.error(str(error))
    return args


def write_results(path, results):
    """The JSON, written whole or not at all (the lab's atomic writer)."""
    text = json.dumps(results, indent=2, default=str, allow_nan=False)
    atomic_write_text(path, text)


def _out_path(args):
    out = Path(args.out)
    return out if out.is_absolute() else Path.cwd() / out


def _callgrind(args, checkouts, variants, settings):
    from . import cnn, tables, timing
    from .instructions import count_instructions
    results = {"settings": settings}
    if not args.no_mlp:
        entries = timing.entries_for(checkouts, ["ceiling"], variants)
        results["instructions"] = count_instructions(entries, checkouts, args.batches,
                                                     steps=args.callgrind_steps)
        tables.print_instructions(results["instructions"])
    if not args.no_cnn:
        entries = cnn.plan(checkouts, torch=False, designs=args.cnn_designs)[0]
        results["cnn_instructions"] = count_instructions(entries, checkouts, args.cnn_batches,
                                                         steps=args.cnn_callgrind_steps, warmup=3)
        tables.print_instructions(results["cnn_instructions"], "the CNN")
    return results


def main(argv=None):
    args = parse_args(argv)
    try:
        from . import cnn, cnn_tables, machine, tables, timing, whole_runs
        from .equivalence import check_equivalence
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
                "cnn_batches": args.cnn_batches, "cnn_designs": args.cnn_designs,
                "malloc_kept": MALLOC_KEPT if args.malloc_kept else None,
                "repeats": args.repeats, "repeat_seconds": args.repeat_seconds,
                "clock": args.clock, "settle_seconds": args.settle, "max_rounds": args.max_rounds,
                "data_dir": root, "checkouts": {c.label: str(c.path) for c in checkouts},
                "argv": sys.argv[1:] if argv is None else list(argv)}
    print("# tinynet speed benchmark\n", flush=True)

    if args.callgrind:
        results = _callgrind(args, checkouts, variants, settings)
        write_results(_out_path(args), results)
        print(f"\nAll figures written to {_out_path(args)}")
        return results

    # 0. First, while this process is still small: the full-epoch runs in
    #    fresh children. Linux hands a parent's resident size at fork down
    #    to the child's ru_maxrss. The CNN's step memory: fresh children too.
    results = {}
    results["full_epochs"], results["memory"] = whole_runs.measure_epochs(args, root)
    torch_wanted = not args.no_torch and importlib.util.find_spec("torch") is not None
    cnn_entries, extras = [], []
    if not args.no_cnn:
        print("CNN step memory in fresh subprocesses ...", flush=True)
        cnn_memory = cnn.step_memory(checkouts, args.cnn_batches, torch_wanted, args.cnn_designs)
        cnn_entries, extras = cnn.plan(checkouts, torch_wanted, args.cnn_designs, args.malloc_kept)

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
        # 1. equivalence: identical weights in, identical weights out
        if not args.no_mlp:
            results.update(check_equivalence(workers, entries, args.batches, "mlp"))
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
        if not args.no_mlp:
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
    # 3. the CNN, in workers of its own
    if not args.no_cnn:
        if "torch" in missing:
            cnn_entries = [e for e in cnn_entries if e.contestant != "torch"]
        results["cnn"] = cnn.measure(args, checkouts, cnn_entries, extras, cnn_memory)

    # 4. whole runs (this checkout)
    results["lecture_runs"] = whole_runs.measure_lecture_runs(args, root)
    if args.no_lab or args.quick:
        results["lab"] = {"measured": False, "seconds": None, "note": "not measured (--quick or --no-lab)"}
    else:
        print("Whole lab (python -m experiments) ...", flush=True)
        results["lab"] = whole_runs.lab_run(root)
        print(f"  {tables.format_seconds(results['lab']['seconds'])} "
              f"(exit code {results['lab']['returncode']})")

    results["summary"] = tables.summary_lines(results) + cnn_tables.summary_lines(results.get("cnn"))
    tables.print_report(results, VARIANTS)
    if "cnn" in results:
        cnn_tables.print_report(results["cnn"], results["settings"])
    print("\n## Targets\n")
    for line in results["summary"]:
        print(f"- {line}")
    if "profile" in results:
        tables.print_profile(results["profile"])
    write_results(_out_path(args), results)
    print(f"\nAll figures written to {_out_path(args)}")
    return results
