"""The command line shared by every experiment script and ``python -m experiments``.

    python -m experiments.baseline --seeds 3 --epochs 20
    python -m experiments l1 l2 --framework both
    python -m experiments --report-only

User errors (bad option values, unknown experiment names, missing or
corrupt data, a training set larger than the data, an ``--out`` folder in
use by another lab) end with a one-line message and exit status 2; Ctrl-C,
whenever it comes, keeps the finished seeds, says exactly what is stored
and exits with status 130, never with a traceback (lab_run.py).

Bad output or data folders are refused before any training; an OSError
during the run (disk full, a folder removed) ends with a one-line message
and exit status 2, never a traceback. A diverging run (say ``--lr 50``) is
a result: it is recorded as diverged and the command still exits 0.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib.util
import os
import re
import shlex
import signal
import sys
import tempfile
import threading
from pathlib import Path

from . import EXPERIMENT_NAMES, get_experiment, interrupts, lab_run, runner
from .config import DATASETS, SettingError, count_problem
from .data import DataError, load_lab_data
from .folder_lock import FolderBusy
from .lab_run import INTERRUPTED, LabError


RUN_ALL_DESCRIPTION = """Run the overfitting lab -- every experiment, or the ones named -- and
write results/REPORT.md and results/REPORT.ko.md.

examples:
  python -m experiments                          # all, 10 seeds each, tinynet
  python -m experiments l1 l2 --framework both   # two experiments, tinynet and PyTorch
  python -m experiments baseline --lr 50         # a learning rate that diverges
  python -m experiments --report-only            # rewrite the report from stored seeds

Bad options or folders end with a message and exit status 2; Ctrl-C keeps the
finished seeds (rerun the same command to resume) and exits with status 130.
One lab at a time per results folder: a second one on the same --out (or a
--report-only while a lab runs there) is refused.
"""


def whole_number(text):
    """argparse type: an integer (RunConfig checks its value)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def number(text):
    """argparse type: a number (RunConfig checks its value)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def count(text):
    """argparse type of --seeds and --workers, which are not run settings: a
    whole number of at least 1."""
    value = whole_number(text)
    problem = count_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def scheduler_address(text):
    """argparse type of --scheduler: "local", or the address of a running
    ``dask scheduler`` (tcp:// is the default protocol)."""
    if text == "local":
        return text
    match = re.fullmatch(r"(?:(tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[\w.-]+):(\d{1,5})", text)
    if not match or not 1 <= int(match.group(3)) <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected 'local' or the address of a dask scheduler, such as "
            f"tcp://192.168.0.10:8786, got {text!r}")
    return text if match.group(1) else f"tcp://{text}"


def add_scheduler_option(parser):
    parser.add_argument("--scheduler", type=scheduler_address, metavar="ADDRESS",
                        help="run the jobs on a Dask cluster: the address of a running `dask "
                             "scheduler` (tcp://HOST:8786), or 'local' for a LocalCluster of "
                             "--workers processes here; needs pip install -e \".[cluster]\" "
                             "(default: a process pool of --workers)")


def build_parser(prog, description, run_all=False):
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    if run_all:
        parser.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                            help=f"experiments to run (default: all): {', '.join(EXPERIMENT_NAMES)}")
        parser.add_argument("--report-only", action="store_true",
                            help="only rewrite the report from the seeds stored in --out "
                                 "(give the same options as the run); refused while a lab "
                                 "runs on --out")
    parser.add_argument("--seeds", type=count, metavar="N", default=10,
                        help="number of seeds per configuration: seeds 0..N-1 (default 10)")
    parser.add_argument("--workers", type=count, metavar="N", default=2,
                        help="worker processes for the runs (one BLAS thread each) and the "
                             "figures (default 2; 1 = run here)")
    add_scheduler_option(parser)
    parser.add_argument("--epochs", type=whole_number, metavar="N",
                        help="epochs for every configuration (default: each configuration's own, "
                             "100 except the lecture's dropout run)")
    parser.add_argument("--train-size", type=whole_number, metavar="N",
                        help="train on the first N training images (default 300, as the lecture)")
    parser.add_argument("--lr", type=number, metavar="LR",
                        help="SGD learning rate for every configuration (default 0.1, the "
                             "lecture's; try 50 to see a run diverge)")
    parser.add_argument("--batch-size", type=whole_number, metavar="N",
                        help="mini-batch size for every configuration (default: each "
                             "configuration's own, 10 except the lecture's dropout run)")
    parser.add_argument("--momentum", type=number, metavar="M",
                        help="SGD momentum for every configuration (default 0, as the lecture)")
    parser.add_argument("--dataset", choices=DATASETS, help="data set (default mnist)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder holding the data (default: $TINYNET_DATA, else ~/.cache/tinynet)")
    parser.add_argument("--no-download", action="store_true",
                        help="never download missing data")
    parser.add_argument("--out", default="results", metavar="DIR",
                        help="results folder (default ./results); one lab at a time: a second "
                             "run on the same folder is refused")
    parser.add_argument("--eval-every", type=whole_number, metavar="N",
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


# --------------------------------------------------------------------------
# Checks before any training
# --------------------------------------------------------------------------
def _check_out(out):
    """Make sure results can be written to ``out`` (created with its
    parents if missing) -- before hours of training, not after."""
    if out.exists() and not out.is_dir():
        raise LabError(f"--out {out}: this is a file, not a folder; choose a folder for the results")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with interrupts.deferred():             # never leave the probe file behind
            fd, probe = tempfile.mkstemp(dir=out, prefix=".write-test.", suffix=".tmp")
            os.close(fd)
            os.unlink(probe)
    except OSError as error:
        raise LabError(f"--out {out}: cannot write results there ({error.strerror or error})")


def _check_data_dir(data_dir):
    if data_dir is None:
        return
    folder = Path(data_dir)
    if not folder.exists():
        raise LabError(f"--data-dir {folder}: no such folder (create it, or point --data-dir at the "
                     "folder holding the mnist/ and fashion-mnist/ data folders)")
    if not folder.is_dir():
        raise LabError(f"--data-dir {folder}: this is a file, not a folder")


def _check_data(plans, data_dir):
    """Load the data once here, so that missing or corrupt files, or a
    --train-size larger than the data, give one clear message before any
    worker starts."""
    needed = {(c.dataset, c.train_size, c.val_size) for e in plans for c in e.configs}
    for dataset, train_size, val_size in sorted(needed):
        try:
            load_lab_data(dataset, train_size, val_size, data_dir)
        except DataError as error:
            raise LabError(str(error))


def _plans(parser, named, overrides):
    """The experiments as requested: their configurations with the command
    line's overrides applied; a setting no run can use is a usage error."""
    plans = []
    for experiment in named:
        fixed = [(f"--{name.replace('_', '-')}", why) for name, why in experiment.fixed_settings
                 if overrides.get(name) is not None]
        if fixed:
            options = " and ".join(option for option, _ in fixed)
            parser.error(f"{experiment.name} sets {options} itself ("
                         f"{'; '.join(why for _, why in fixed)}): leave {options} out, or name "
                         f"the experiments to run with it (e.g. python -m experiments baseline "
                         f"{fixed[0][0]} ...)")
        try:
            configs = tuple(c.with_overrides(**overrides) for c in experiment.configs)
        except SettingError as error:
            parser.error(f"{experiment.name}/{error}")
        plans.append(dataclasses.replace(experiment, configs=configs))
    return plans


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def main(argv=None, experiment=None):
    """Run ``experiment`` (a script's EXPERIMENT) or, without one, the
    experiments named on the command line (default all) and the report."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)   # Ctrl-C is handled below
    run_all = experiment is None
    prog = "python -m experiments" if run_all else f"python -m experiments.{experiment.name}"
    try:
        description = RUN_ALL_DESCRIPTION if run_all else f"{experiment.title}\n\n{experiment.question}"
        parser = build_parser(prog, description, run_all=run_all)
        argv = sys.argv[1:] if argv is None else list(argv)
        args = parser.parse_args(argv)
        command = f"{prog} {shlex.join(argv)}".rstrip()     # quoted in the report
        return _main(parser, args, experiment, command)
    except (LabError, FolderBusy, runner.RunFailed) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:     # disk full, a folder removed or made read-only during the run
        where = f" ({error.filename})" if error.filename and str(error.filename) not in str(error) \
            else ""
        print(f"{prog}: error: {error}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:    # before any run or report started (lab_run.py handles the rest)
        print(f"\n{prog}: interrupted before any run or report started", file=sys.stderr)
        return INTERRUPTED


def _main(parser, args, experiment, command):
    if args.no_download:
        os.environ["TINYNET_NO_DOWNLOAD"] = "1"     # inherited by the worker processes
    run_all = experiment is None
    named = _resolve_names(parser, args.experiments) if run_all else [experiment]
    frameworks = ("tinynet", "torch") if args.framework == "both" else (args.framework,)
    overrides = dict(dataset=args.dataset, train_size=args.train_size, epochs=args.epochs,
                     eval_every=args.eval_every, lr=args.lr, batch_size=args.batch_size,
                     momentum=args.momentum)
    plans = _plans(parser, named, overrides)
    seeds = list(range(args.seeds))
    out = Path(args.out)

    if run_all and args.report_only:
        if not out.is_dir():
            raise LabError(f"--report-only: no results folder {out} "
                           f"({'it is a file' if out.exists() else 'it does not exist'}); "
                           "run the experiments first, or point --out at their folder")
        return lab_run.report_only(plans, frameworks, seeds, out, command, workers=args.workers)

    if "torch" in frameworks and importlib.util.find_spec("torch") is None:
        from .torch_backend import MISSING_TORCH   # cheap: there is no torch to import
        raise LabError(MISSING_TORCH)
    executor = runner.make_executor(args.workers, args.scheduler)   # no Dask: refused here
    _check_data_dir(args.data_dir)
    _check_data(plans, args.data_dir)
    _check_out(out)
    jobs = [runner.Job(e.name, c, seed, framework, args.data_dir, args.verbose)
            for framework in frameworks for e in plans for c in e.configs for seed in seeds]
    return lab_run.run(plans, frameworks, seeds, out, command, jobs, workers=args.workers,
                       fresh=args.fresh, executor=executor)


def run_script(experiment):
    """Entry point of the ``python -m experiments.<name>`` scripts."""
    sys.exit(main(experiment=experiment))
