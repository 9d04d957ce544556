"""One lab per results folder: a run holds an operating-system lock on its
--out folder, and a second run (or --report-only) on that folder is refused
at once instead of silently replacing the first's seeds and report. Real
processes: the first is frozen (SIGSTOP) while it holds the lock, so the
second meets it whatever the machine's speed."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
TINY = ["--seeds", "2", "--train-size", "20", "--workers", "1"]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals")


def lab(*argv):
    return [sys.executable, "-m", "experiments", *argv]


def start_and_freeze_once_locked(out, *argv):
    """Start a lab run and stop it (SIGSTOP) as soon as it holds out's lock."""
    first = subprocess.Popen(lab(*argv, "--out", str(out)), cwd=ROOT, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = out / ".lab.lock"
    deadline = time.monotonic() + 300
    while not (lock.exists() and f"pid {first.pid}:" in lock.read_text()):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGSTOP)
    return first


def refused(out, *argv):
    done = subprocess.run(lab(*argv, "--out", str(out)), cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stderr.strip().splitlines()


def test_a_second_run_and_report_only_are_refused_while_a_lab_holds_the_folder(tmp_path):
    out = tmp_path / "results"
    first = start_and_freeze_once_locked(out, "baseline", "--epochs", "3", *TINY)
    try:
        code, lines = refused(out, "baseline", "--epochs", "4", *TINY)
        assert code == 2 and len(lines) == 1, lines
        assert lines[0].startswith(f"python -m experiments: error: {out} is in use by another lab "
                                   f"run (pid {first.pid}: python -m experiments baseline --epochs 3")
        assert "wait for it to finish, or choose another --out" in lines[0]
        code, lines = refused(out, "--report-only", "baseline", "--epochs", "3", *TINY)
        assert code == 2 and len(lines) == 1 and f"{out} is in use by another lab run" in lines[0]
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    for seed in (0, 1):                         # the first run's seeds, not replaced
        record = json.loads((out / "baseline" / "seeds" / f"lecture__seed{seed}.json").read_text())
        assert record["final"]["epochs_run"] == 3
    assert "--epochs 3" in (out / "REPORT.md").read_text()

    # the lock ends with its run: the same command now runs, reusing both seeds
    done = subprocess.run(lab("baseline", "--epochs", "3", *TINY, "--out", str(out)), cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "reusing 2 finished run(s)" in done.stderr, done.stderr


def test_a_killed_run_leaves_no_lock_behind(tmp_path):
    out = tmp_path / "results"
    first = start_and_freeze_once_locked(out, "baseline", "--epochs", "2", *TINY)
    first.kill()                                # SIGKILL: no clean-up code runs
    first.communicate()
    assert (out / ".lab.lock").exists()         # the file stays, the lock does not
    done = subprocess.run(lab("baseline", "--epochs", "2", *TINY, "--out", str(out)), cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (out / "REPORT.md").exists()
