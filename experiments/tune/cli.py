"""``python -m experiments.tune``: the command line and the order of work.

    round 1 .. --rounds: draw --trials trials, train each with
                         --seeds-per-trial seeds, score it on the validation set
    choose:              the trial with the best score
    retrain:             the chosen values with the lab's seeds (0..--seeds - 1)
                         and the baseline, the same epochs and seeds;
                         the chosen runs evaluate the test set once, at the end
    check:               the test set was evaluated once per seed of the chosen
                         configuration, and by nothing else of the search
    report:              <out>/tune/trials.json, search.png, REPORT.md, REPORT.ko.md

Every phase goes through the lab's job API (runner.run_jobs: the process
pool, or ``--scheduler``'s Dask cluster), under the results folder's lock;
every run is stored at once and reused by a rerun. Errors and Ctrl-C end
as in the lab: one line, exit status 2 or 130, no traceback.
"""
import argparse
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

from .. import cli as lab_cli
from .. import get_experiment, runner
from ..config import Experiment
from ..folder_lock import FolderBusy, FolderLock
from ..lab_run import INTERRUPTED, LabError
from . import report, search

PROG = "python -m experiments.tune"
NAME = "tune"                     # the results folder <out>/tune/ and the runs' experiment name
VALIDATION_IMAGES = 1000          # the early-stopping experiment's validation set, too
DESCRIPTION = """Hyperparameter search done right (Deep Learning from Scratch, 6.5): random
search over the learning rate and a regulariser for the lecture's MLP, each
trial trained on the first 300 training images and scored on the validation
images after them -- never on the test set. The best trial is then retrained
with the lab's seeds and only then evaluated on the test set, once per seed,
beside the baseline.

examples:
  python -m experiments.tune --trials 20 --epochs 5
  python -m experiments.tune --param lr 0.01 1 --param dropout 0.05 0.5
  python -m experiments.tune --rounds 2 --seeds-per-trial 2 --scheduler local
"""


def build_parser():
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=lab_cli.count, default=20, metavar="N",
                        help="trials per round (default 20)")
    parser.add_argument("--rounds", type=lab_cli.count, default=1, metavar="N",
                        help="rounds of search; each after the first narrows the ranges around "
                             "the best trials so far (default 1)")
    parser.add_argument("--param", nargs=3, action="append", metavar=("NAME", "LOW", "HIGH"),
                        help="search NAME log-uniformly in [LOW, HIGH]: lr (default 0.001 1) and "
                             "one regulariser, l2 (the default, 1e-6 0.1), l1 (1e-7 0.001) or "
                             "dropout (0.02 0.5)")
    parser.add_argument("--seeds-per-trial", type=lab_cli.count, default=1, metavar="N",
                        help="seeds each trial is trained with; its score is their mean "
                             "validation accuracy (default 1)")
    parser.add_argument("--seeds", type=lab_cli.count, default=10, metavar="N",
                        help="seeds 0..N-1 of the chosen configuration and the baseline (default 10)")
    parser.add_argument("--epochs", type=lab_cli.whole_number, default=100, metavar="N",
                        help="epochs of every run (default 100, the lecture's)")
    parser.add_argument("--val-size", type=lab_cli.whole_number, default=VALIDATION_IMAGES,
                        metavar="N", help="validation images, the N after the first 300 "
                                          f"(default {VALIDATION_IMAGES})")
    parser.add_argument("--search-seed", type=lab_cli.whole_number, default=0, metavar="N",
                        help="seed of the random search: the same seed draws the same trials "
                             "(default 0)")
    parser.add_argument("--workers", type=lab_cli.count, metavar="N", default=2,
                        help="worker processes for the runs (default 2; 1 = run here)")
    lab_cli.add_scheduler_option(parser)
    parser.add_argument("--out", default="results", metavar="DIR",
                        help="results folder (default ./results): the search in <out>/tune/, "
                             "the baseline's runs in <out>/baseline/ (the lab's)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder holding the data (default: $TINYNET_DATA, else ~/.cache/tinynet)")
    parser.add_argument("--no-download", action="store_true", help="never download missing data")
    parser.add_argument("--fresh", action="store_true",
                        help="recompute every run instead of reusing stored ones")
    return parser


def _options(parser, args):
    """(search.Space, the baseline's config); a bad option is a usage error."""
    try:
        ranges = [(name, lab_cli.number(low), lab_cli.number(high))
                  for name, low, high in args.param or ()]
        space = search.Space.from_options(ranges)
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error(f"--param: {error}")
    if args.search_seed < 0:
        parser.error(f"--search-seed must be at least 0, got {args.search_seed}")
    try:
        trial = search.draw(space.ranges, 1, args.search_seed, 1)[0]
        configs = (trial.config(args.epochs, args.val_size),)      # every setting checked here
        baseline = get_experiment("baseline").configs[0].with_overrides(epochs=args.epochs)
    except ValueError as error:                                    # SettingError too
        parser.error(str(error))
    return space, configs, baseline


def main(argv=None):
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        parser = build_parser()
        argv = sys.argv[1:] if argv is None else list(argv)
        args = parser.parse_args(argv)
        command = f"{PROG} {shlex.join(argv)}".rstrip()
        return _main(parser, args, command)
    except (LabError, FolderBusy, runner.RunFailed) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted before any run started", file=sys.stderr)
        return INTERRUPTED


def _main(parser, args, command):
    space, first, baseline = _options(parser, args)
    if args.no_download:
        os.environ["TINYNET_NO_DOWNLOAD"] = "1"     # inherited by the worker processes
    executor = runner.make_executor(args.workers, args.scheduler)
    out = Path(args.out)
    lab_cli._check_data_dir(args.data_dir)
    lab_cli._check_data([Experiment(NAME, "", "", first + (baseline,))], args.data_dir)
    lab_cli._check_out(out)
    search_run = Search(args, space, executor, out)
    with FolderLock(out, command):
        try:
            return search_run.run(command, baseline)
        except runner.Interrupted as stop:
            print(f"\ninterrupted: {len(stop.records)} of {search_run.phase_jobs} runs of "
                  f"{search_run.phase} are finished and stored in {out}/; rerun the same "
                  "command to resume", file=sys.stderr)
            return INTERRUPTED


class Search:
    """One search on one results folder: its rounds, the retraining, the report."""

    def __init__(self, args, space, executor, out):
        self.args, self.space, self.executor, self.out = args, space, executor, out
        self.phase, self.phase_jobs = "round 1", 0
        self.records = {}

    def _runs(self, phase, experiment, configs, seeds):
        """Run (config, seed) jobs of ``experiment``; {(config name, seed): record}."""
        jobs = [runner.Job(experiment, c, seed, "tinynet", self.args.data_dir)
                for c in configs for seed in seeds]
        self.phase, self.phase_jobs = phase, len(jobs)
        print(f"{phase}: {len(jobs)} runs", file=sys.stderr, flush=True)
        done, _ = runner.run_jobs(jobs, self.out, fresh=self.args.fresh, executor=self.executor)
        return {(key[2], key[3]): record for key, record in done.items()}

    def run(self, command, baseline):
        try:
            with self.executor:                   # one cluster (or pool) for every phase
                outcome = self._search(command, baseline)
        except KeyboardInterrupt:                 # between the runs (run_jobs: Interrupted)
            print(f"\ninterrupted; every finished run is stored in {self.out}/: rerun the same "
                  "command to resume", file=sys.stderr)
            return INTERRUPTED
        try:
            path = report.write(outcome, self.out / NAME)
        except KeyboardInterrupt:
            print(f"\ninterrupted while writing the report; every run is stored in {self.out}/: "
                  "rerun the same command to write it", file=sys.stderr)
            return INTERRUPTED
        top = outcome.ranked[0]
        print(f"chose {outcome.chosen.label} (validation accuracy {outcome.scores[top.name]:.4f}); "
              f"report {path}", file=sys.stderr)
        return 0

    def _search(self, command, baseline):
        """The rounds, the choice, the retraining and the test-set check: the Outcome."""
        args, ranges = self.args, dict(self.space.ranges)
        trials, scores, rounds = [], {}, []
        for number in range(1, args.rounds + 1):
            if number > 1:
                ranges = search.narrowed(self.space.ranges, trials, scores)
            try:
                drawn = search.draw(ranges, args.trials, args.search_seed, number,
                                    taken=[t.name for t in trials])
            except ValueError as error:
                raise LabError(f"round {number}: {error}") from None
            rounds.append({"round": number, "ranges": ranges, "trials": len(drawn)})
            configs = [t.config(args.epochs, args.val_size) for t in drawn]
            records = self._runs(f"round {number}", NAME, configs, range(args.seeds_per_trial))
            self.records.update(records)
            for trial in drawn:
                scores[trial.name] = search.score(
                    [records[(trial.name, s)] for s in range(args.seeds_per_trial)])
            trials += drawn
        best = search.ranked(trials, scores)
        if not best:
            raise LabError(f"every one of the {len(trials)} trials diverged; lower the lr range "
                           "(--param lr LOW HIGH)")
        chosen = search.chosen_config(best[0], args.epochs)
        seeds = range(args.seeds)
        self.records.update(self._runs("the chosen configuration", NAME, [chosen], seeds))
        base = self._runs("the baseline", "baseline", [baseline], seeds)
        problem = test_set_problem(self.records, chosen.name)
        if problem:
            raise LabError(f"refusing to report: {problem}; the test set is evaluated once per "
                           "seed of the chosen configuration only")
        return report.Outcome(
            space=self.space, rounds=rounds, trials=trials, scores=scores, ranked=best,
            records=self.records, chosen=chosen, baseline=[base[(baseline.name, s)] for s in seeds],
            args=args, command=command)


def test_set_problem(records, chosen):
    """What breaks the search's rule -- the test set is evaluated once per
    seed of the ``chosen`` configuration and by no other run -- in
    ``records`` {(config name, seed): record} (a record's history lists the
    epochs after which it evaluated the test set), or None. A chosen run that
    diverged never reached its one evaluation."""
    for (name, seed), record in sorted(records.items()):
        count = len(record["history"]["eval_epoch"])
        wanted = 1 if name == chosen and not record["diverged"] else 0
        if count != wanted:
            return f"the run {name} seed {seed} evaluated the test set {count} time(s), not {wanted}"
    return None
