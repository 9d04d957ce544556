"""One lab run on one results folder: the runs, the report, and what Ctrl-C
leaves behind.

The command line (cli.py) checks the options, folders and data, then calls
:func:`run` or :func:`report_only`. Each holds the folder's lock
(folder_lock.py) from its first read of a stored seed to its last written
report, so a second lab on the same ``--out`` is refused at once.

Ctrl-C, whenever it comes, ends with exit status 130, no traceback, and
one message that says exactly what is stored:

* during the runs: the finished runs are stored (each file written and
  counted together, runner.py), and the summaries and both reports are
  rewritten from them without figures (a few seconds, no matplotlib);
* while the report is drawn: every run is stored, and the report is
  rewritten without figures; ``--report-only`` draws them later;
* a second Ctrl-C during either rewrite stops it: the message says the
  report was not updated.
"""
import dataclasses
import sys
import time

from . import report, runner, selection
from .folder_lock import FolderLock

INTERRUPTED = 130                        # the shell's status for Ctrl-C


class LabError(Exception):
    """A problem with the folders or data of a run: one line, exit status 2
    (argparse's usage block is for mistakes in the options themselves)."""


def say(line):
    print(line, file=sys.stderr, flush=True)


def write_report(experiments, frameworks, records, seeds, out, command, plots=True, workers=1):
    """Summaries, figures, REPORT.md and REPORT.ko.md: report.write_all, the
    report's one entry point. Returns REPORT.md's path."""
    return report.write_all(list(experiments), list(frameworks), records, list(seeds), out,
                            command, plots=plots, workers=workers)


def _after_interrupt(stored, resume, plans, frameworks, records, seeds, out, command):
    """The one message after Ctrl-C, once the report is rewritten without
    figures from the stored ``records`` (none: nothing is rewritten)."""
    wrote = "the summaries and reports were not updated"
    if records:
        try:
            write_report(plans, frameworks, records, seeds, out, command, plots=False)
            wrote = "the summaries, REPORT.md and REPORT.ko.md are rewritten from them without figures"
        except KeyboardInterrupt:
            wrote = ("a second Ctrl-C stopped the rewrite of the summaries and reports, so some "
                     "of them may be older")
    say(f"\ninterrupted: {stored}; {wrote}. {resume}")
    return INTERRUPTED


def _chosen_jobs(before, after, frameworks, seeds, like):
    """The jobs of the configurations chosen on validation data (selection.py):
    what the plans ``after`` hold that ``before`` did not; ``like``: a job
    whose data folder and verbosity they share."""
    return [dataclasses.replace(like, experiment=b.name, config=config, seed=seed,
                                framework=framework)
            for framework in frameworks for b, a in zip(before, after)
            for config in selection.new_configs(b, a) for seed in seeds]


def _say_choices(plans):
    for plan in plans:
        if plan.choices:
            made = {c.name: c for c in plan.configs}
            listed = ", ".join(f"{c.name} {c.setting} {getattr(made[c.name], c.setting):g}"
                               for c in plan.choices if c.name in made)
            say(f"{plan.name}: chosen on the validation images: {listed or 'nothing yet'}")


def _second_pass(jobs, out, workers, fresh, executor, first):
    """runner.run_jobs of the chosen configurations' ``jobs``; a RunFailed
    says that the ``first`` pass's runs are stored too."""
    try:
        return runner.run_jobs(jobs, out, workers=workers, fresh=fresh, executor=executor)
    except runner.RunFailed as failure:
        raise runner.RunFailed(f"{failure} (the runs of the settings chosen on validation data; "
                               f"the {first} runs before them are stored too)",
                               failure.resumable) from None


def run(plans, frameworks, seeds, out, command, jobs, workers=2, fresh=False, executor=None):
    """Run ``jobs`` into ``out`` on ``executor`` (default: runner's process
    pool of ``workers``) and write the report; the exit status.

    Experiments that choose a setting on validation data (selection.py) get
    a second pass on the same executor: once their selection runs are
    finished, the chosen configurations are run (and stored) like the others."""
    executor = executor or runner.ProcessPool(workers)
    with FolderLock(out, command):
        started = time.perf_counter()
        records, total = {}, len(jobs)
        try:
            with executor:                     # one cluster (or pool) for both passes
                found, reused = runner.run_jobs(jobs, out, workers=workers, fresh=fresh,
                                                executor=executor)
                records.update(found)
                chosen = [selection.with_choices(p, records, frameworks, seeds) for p in plans]
                second = _chosen_jobs(plans, chosen, frameworks, seeds, jobs[0]) if jobs else []
                plans = chosen
                if second:
                    _say_choices(plans)
                    total += len(second)
                    found, more = _second_pass(second, out, workers, fresh, executor, len(records))
                    records.update(found)
                    reused += more
        except (runner.Interrupted, KeyboardInterrupt) as stop:   # the latter: between passes
            records.update(getattr(stop, "records", {}))
            return _after_interrupt(
                f"{len(records)} of {total} runs are finished and stored in {out}/",
                "Rerun the same command to resume.",
                plans, frameworks, records, seeds, out, command)
        stored = f"all {len(records)} runs are finished and stored in {out}/"
        try:
            say("writing the report (summaries, figures, REPORT.md, REPORT.ko.md) ...")
            path = write_report(plans, frameworks, records, seeds, out, command, workers=workers)
        except KeyboardInterrupt:
            return _after_interrupt(stored, "Rerun with --report-only and the same options for "
                                    "the figures.", plans, frameworks, records, seeds, out, command)
        try:
            diverged = sum(1 for r in records.values() if r.get("diverged"))
            note = f", {diverged} diverged (see the report)" if diverged else ""
            say(f"done in {time.perf_counter() - started:.0f} s: {len(records)} results ({reused} "
                f"reused from earlier runs){note}; results in {out}/<experiment>/, report {path}")
        except KeyboardInterrupt:
            say(f"\ninterrupted: {stored}; the report is complete: {path}")
            return INTERRUPTED
    return 0


def report_only(plans, frameworks, seeds, out, command, workers=2):
    """Rewrite the report of ``out`` from its stored seeds; the exit status.
    A lab still running on ``out`` holds its lock: this refuses, like a
    second run (FolderBusy), rather than report half of its seeds."""
    with FolderLock(out, command):
        records = stored_records(out, plans, frameworks, seeds)
        chosen = [selection.with_choices(p, records, frameworks, seeds) for p in plans]
        added = [dataclasses.replace(a, configs=tuple(selection.new_configs(b, a)))
                 for b, a in zip(plans, chosen)]           # each file read (and warned about) once
        records.update(stored_records(out, added, frameworks, seeds))
        plans = chosen
        if not records:
            raise LabError(f"--report-only: {out} holds no stored seeds for these experiments and "
                           "options; give the options of the run (e.g. --epochs, --seeds)")
        try:
            path = write_report(plans, frameworks, records, seeds, out, command, workers=workers)
        except KeyboardInterrupt:
            return _after_interrupt(f"the report of the {len(records)} stored runs in {out}/ was "
                                    "not finished", "Rerun the same command for the figures.",
                                    plans, frameworks, records, seeds, out, command)
    print(f"wrote {path}")
    return 0


def stored_records(out, experiments, frameworks, seeds):
    """{(experiment, framework, config name, seed): record} of every valid
    stored seed of ``experiments`` (config.Experiment, with the configs as
    requested), for ``--report-only``. Corrupt files are named in a one-line
    warning and skipped; records of other settings are skipped; records
    made by older code with the same settings are used (the report shows
    what is stored)."""
    records = {}
    for experiment in experiments:
        for framework in frameworks:
            for config in experiment.configs:
                for seed in seeds:
                    job = runner.Job(experiment.name, config, seed, framework)
                    record, status = runner.load_stored(job, out, ignore_code=True)
                    if status == "ok":
                        records[job.key] = dict(record, experiment=experiment.name,
                                                config=config.name)
    return records
