"""Ctrl-C at any moment: exit status 130, no traceback, and a message that
says exactly what is on disk. Real processes: the lab runs in its own
process group and gets SIGINT as a terminal's Ctrl-C sends it, to every
process of the group (the worker processes too), at several moments."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
RUN = ["baseline", "l2", "--seeds", "3", "--epochs", "2", "--train-size", "60", "--workers", "2"]
JOBS = 18                     # 6 configurations x 3 seeds (the baseline and L2 at λ = 0 train once)

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")


def interrupt(out, when):
    """Start the lab, press Ctrl-C when stderr shows ``when`` (or after
    ``when`` seconds); (exit status, stderr)."""
    lab = subprocess.Popen([sys.executable, "-m", "experiments", *RUN, "--out", str(out)], cwd=ROOT,
                           env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    seen = []
    if isinstance(when, float):
        time.sleep(when)
    else:
        for line in lab.stderr:
            seen.append(line)
            if when in line:
                break
    os.killpg(lab.pid, signal.SIGINT)
    rest = lab.stderr.read()
    lab.wait(timeout=300)
    return lab.returncode, "".join(seen) + rest


def stored(out):
    return sorted(p.name for p in out.glob("*/seeds/*.json"))


def assert_clean(code, err, out):
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert not list(out.rglob("*.tmp")) if out.exists() else True


def test_ctrl_c_during_the_runs_reports_exactly_the_stored_seeds(tmp_path):
    out = tmp_path / "results"
    code, err = interrupt(out, " 2/15]")
    assert_clean(code, err, out)
    message = re.search(r"interrupted: (\d+) of (\d+) runs are finished and stored in ", err)
    assert message, err
    assert int(message.group(2)) == JOBS
    assert int(message.group(1)) == len(stored(out)) >= 2
    assert "REPORT.md and REPORT.ko.md are rewritten from them without figures" in err
    report = (out / "REPORT.md").read_text()
    assert "![" not in report and not list(out.rglob("*.png"))

    # rerunning resumes: every stored seed is reused, the rest is run
    done = subprocess.run([sys.executable, "-m", "experiments", *RUN, "--out", str(out)], cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"reusing {message.group(1)} finished run(s)" in done.stderr
    assert len(stored(out)) == JOBS


def test_ctrl_c_while_the_report_is_drawn_keeps_every_run_and_a_report(tmp_path):
    out = tmp_path / "results"
    code, err = interrupt(out, "writing the report")
    assert_clean(code, err, out)
    assert len(stored(out)) == JOBS
    assert f"interrupted: all {JOBS} runs are finished and stored in {out}/" in err, err
    report = (out / "REPORT.md").read_text()
    if "the report is complete" in err:                      # Ctrl-C came after the last figure
        assert "![" in report
    else:
        assert "rewritten from them without figures" in err
        assert "Rerun with --report-only and the same options for the figures" in err
        assert "![" not in report


@pytest.mark.parametrize("seconds", [0.3, 1.5])
def test_ctrl_c_while_starting_or_checking_is_quiet(tmp_path, seconds):
    out = tmp_path / "results"
    code, err = interrupt(out, seconds)
    assert_clean(code, err, out)
    message = err.strip().splitlines()[-1]
    claimed = re.search(r"interrupted: (\d+) of \d+ runs are finished and stored", message)
    if claimed:                                                # it had reached the runs
        assert int(claimed.group(1)) == len(stored(out))
    else:
        assert message in ("python -m experiments: interrupted while starting; nothing was run",
                           "python -m experiments: interrupted before any run or report started")
        assert stored(out) == []
