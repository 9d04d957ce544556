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
import sys
import time

from . import report, runner
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


def run(plans, frameworks, seeds, out, command, jobs, workers=2, fresh=False, executor=None):
    """Run ``jobs`` into ``out`` on ``executor`` (default: runner's process
    pool of ``workers``) and write the report; the exit status."""
    with FolderLock(out, command):
        started = time.perf_counter()
        try:
            records, reused = runner.run_jobs(jobs, out, workers=workers, fresh=fresh,
                                              executor=executor)
        except runner.Interrupted as stop:
            return _after_interrupt(
                f"{len(stop.records)} of {len(jobs)} runs are finished and stored in {out}/",
                "Rerun the same command to resume.",
                plans, frameworks, stop.records, seeds, out, command)
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
        records = runner.stored_records(out, plans, frameworks, seeds)
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
