"""The command line shared by every experiment script and ``python -m experiments``.

    python -m experiments.baseline --seeds 3 --epochs 20
    python -m experiments l1 l2 --framework both
    python -m experiments --report-only

User errors (bad option values, unknown experiment names, missing or
corrupt data, a training set larger than the data) end with a one-line
message and exit status 2; Ctrl-C keeps the finished seeds, writes partial
summaries and exits with status 130.
"""
import argparse
import difflib
import importlib.util
import os
import sys
import time

from . import EXPERIMENT_NAMES, all_experiments, get_experiment, report, runner
from .config import DATASETS
from .data import DataError, load_lab_data


RUN_ALL_DESCRIPTION = """Run the overfitting lab -- every experiment, or the ones named -- and
write results/REPORT.md.

examples:
  python -m experiments                          # all, 10 seeds each, tinynet
  python -m experiments l1 l2 --framework both   # two experiments, tinynet and PyTorch
  python -m experiments --report-only            # rewrite the report from stored results

Bad options or data end with a message and exit status 2; Ctrl-C keeps the
finished seeds (rerun the same command to resume) and exits with status 130.
"""


def positive_int(text):
    """argparse type: an integer >= 1, with a clear message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser(prog, description, run_all=False):
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    if run_all:
        parser.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                            help=f"experiments to run (default: all): {', '.join(EXPERIMENT_NAMES)}")
        parser.add_argument("--report-only", action="store_true",
                            help="only rewrite REPORT.md from the summaries already in --out")
    parser.add_argument("--seeds", type=positive_int, metavar="N", default=10,
                        help="number of seeds per configuration: seeds 0..N-1 (default 10)")
    parser.add_argument("--workers", type=positive_int, metavar="N", default=2,
                        help="worker processes, one BLAS thread each (default 2; 1 = run here)")
    parser.add_argument("--epochs", type=positive_int, metavar="N",
                        help="epochs for every configuration (default: each configuration's own, "
                             "100 except the lecture's dropout run)")
    parser.add_argument("--train-size", type=positive_int, metavar="N",
                        help="train on the first N training images (default 300, as the lecture)")
    parser.add_argument("--dataset", choices=DATASETS, help="data set (default mnist)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder holding the data (default: $TINYNET_DATA, else ~/.cache/tinynet)")
    parser.add_argument("--no-download", action="store_true",
                        help="never download missing data (default: fetch it with torchvision)")
    parser.add_argument("--out", default="results", metavar="DIR",
                        help="results folder (default ./results)")
    parser.add_argument("--eval-every", type=positive_int, metavar="N",
                        help="evaluate the 10,000 test images every N epochs, plus after epoch 1 "
                             "and the last (default 5: one test pass costs as much as ~170 "
                             "training steps)")
    parser.add_argument("--framework", choices=("tinynet", "torch", "both"), default="tinynet",
                        help="train with tinynet (default), PyTorch, or both")
    parser.add_argument("--fresh", action="store_true",
                        help="recompute every seed instead of reusing stored ones")
    parser.add_argument("--verbose", action="store_true",
                        help="print the lecture's 'Epoch: N Loss = x' line for every epoch "
                             "(x = mean training loss of the epoch)")
    return parser


def _resolve_names(parser, names):
    """Experiment names from the command line, checked; all when none given."""
    for name in names:
        if name not in EXPERIMENT_NAMES:
            close = difflib.get_close_matches(name, EXPERIMENT_NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            parser.error(f"unknown experiment {name!r}{hint}; choose from {', '.join(EXPERIMENT_NAMES)}")
    return [get_experiment(n) for n in dict.fromkeys(names or EXPERIMENT_NAMES)]


def _check_data(parser, plans, data_dir):
    """Check sizes and load the data once here, so that missing/corrupt files
    or a bad --train-size give one clear message before any worker starts."""
    for experiment, configs in plans:
        for c in configs:
            if c.train_size < c.batch_size:     # drop_last would leave no batch at all
                parser.error(f"--train-size {c.train_size} is smaller than the batch size "
                             f"{c.batch_size} of {experiment.name}/{c.name}: no full batch to train on")
    needed = {(c.dataset, c.train_size, c.val_size) for _, configs in plans for c in configs}
    for dataset, train_size, val_size in sorted(needed):
        try:
            load_lab_data(dataset, train_size, val_size, data_dir)
        except DataError as error:
            parser.error(str(error))


def _write_outputs(plans, frameworks, records, seeds, out, plots=True):
    """summary(.json|_torch.json) per experiment and framework; returns
    whether every job finished."""
    all_done = True
    for experiment, configs in plans:
        for framework in frameworks:
            keys = [(experiment.name, framework, c.name, s) for c in configs for s in seeds]
            done = all(k in records for k in keys)
            all_done &= done
            if not any(k in records for k in keys):
                continue
            summary = report.summarize(experiment, framework, configs, records, seeds, complete=done)
            report.write_experiment_outputs(experiment, framework, summary, out, plots=plots)
    return all_done


def main(argv=None, experiment=None):
    """Run ``experiment`` (a script's EXPERIMENT) or, without one, the
    experiments named on the command line (default all) and the report."""
    run_all = experiment is None
    prog = "python -m experiments" if run_all else f"python -m experiments.{experiment.name}"
    description = RUN_ALL_DESCRIPTION if run_all else f"{experiment.title}\n\n{experiment.question}"
    parser = build_parser(prog, description, run_all=run_all)
    args = parser.parse_args(argv)
    if args.no_download:
        os.environ["TINYNET_NO_DOWNLOAD"] = "1"     # inherited by the worker processes

    experiments = _resolve_names(parser, args.experiments) if run_all else [experiment]
    if run_all and args.report_only:
        path = report.write_report(args.out, all_experiments())
        print(f"wrote {path}")
        return 0
    frameworks = ("tinynet", "torch") if args.framework == "both" else (args.framework,)
    if "torch" in frameworks and importlib.util.find_spec("torch") is None:
        parser.error("--framework torch needs PyTorch, which is not installed (pip install torch)")

    overrides = dict(dataset=args.dataset, train_size=args.train_size, epochs=args.epochs,
                     eval_every=args.eval_every)
    plans = [(e, [c.with_overrides(**overrides) for c in e.configs]) for e in experiments]
    _check_data(parser, plans, args.data_dir)
    seeds = list(range(args.seeds))
    jobs = [runner.Job(e.name, c, seed, framework, args.data_dir, args.verbose)
            for framework in frameworks for e, configs in plans for c in configs for seed in seeds]

    started = time.perf_counter()
    try:
        records, reused = runner.run_jobs(jobs, args.out, workers=args.workers, fresh=args.fresh)
    except runner.Interrupted as stop:
        _write_outputs(plans, frameworks, stop.records, seeds, args.out, plots=False)
        print(f"\ninterrupted: {len(stop.records)} of {len(jobs)} runs are finished and stored in "
              f"{args.out}/ (partial summaries written); rerun the same command to resume.",
              file=sys.stderr)
        return 130
    _write_outputs(plans, frameworks, records, seeds, args.out)
    wall = time.perf_counter() - started
    path = report.write_report(args.out, all_experiments(),
                               last_run=(wall, len(records) - reused, reused))
    print(f"done in {wall:.0f} s: results in {args.out}/<experiment>/, report {path}",
          file=sys.stderr)
    return 0


def run_script(experiment):
    """Entry point of the ``python -m experiments.<name>`` scripts."""
    sys.exit(main(experiment=experiment))
