"""Run the exercises' command line and a workspace's grader as a student does: in subprocesses.

Shared by the exercise tests (test_exercises.py, test_exercise_grader.py,
test_exercise_templates.py). The checkout goes first on PYTHONPATH, so the
subprocesses import this worktree's tinynet, not an installed one.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[\uac00-\ud7a3]")

# Python that cannot import torch: what a student without PyTorch runs.
WITHOUT_TORCH = "import sys; sys.modules['torch'] = None; "


def environment():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("TINYNET_LANG", None)           # the workspace's conftest.py must set it
    return env


def run_cli(*args, cwd=ROOT, prefix=(), without_torch=False):
    """``python -m tinynet.exercises ARGS``; ``prefix`` runs it under another command (setpriv)."""
    if without_torch:
        command = [sys.executable, "-c", WITHOUT_TORCH + "from tinynet.exercises.__main__ import main; "
                   "sys.exit(main(sys.argv[1:]))", *map(str, args)]
    else:
        command = [sys.executable, "-m", "tinynet.exercises", *map(str, args)]
    return subprocess.run([*prefix, *command], capture_output=True, text=True, env=environment(),
                          cwd=cwd, timeout=300)


def run_pytest(*args, cwd, report=None, without_torch=False):
    """``pytest ARGS`` in ``cwd`` -> (return code, {test id: (outcome, message)}, output).

    A test id is the test's file in the workspace and its name, as in
    ``bughunt/test_bughunt.py::test_tanh``.

    With ``report`` (a path), outcomes are read from a JUnit XML report;
    otherwise the dict is empty.
    """
    options = ["-q", "-p", "no:cacheprovider", *([f"--junitxml={report}"] if report else [])]
    if without_torch:
        command = [sys.executable, "-c", WITHOUT_TORCH + "import pytest; sys.exit(pytest.main(sys.argv[1:]))"]
    else:
        command = [sys.executable, "-m", "pytest"]
    proc = subprocess.run([*command, *map(str, args), *options], capture_output=True, text=True,
                          env=environment(), cwd=cwd, timeout=600)
    outcomes = {}
    if report:
        for case in ET.parse(report).getroot().iter("testcase"):
            children = {child.tag: child for child in case}
            outcome = next((tag for tag in ("failure", "error", "skipped") if tag in children), "passed")
            message = (children[outcome].text or children[outcome].get("message", "")) if outcome != "passed" else ""
            test_id = case.get("classname").replace(".", "/") + ".py::" + case.get("name")
            outcomes[test_id] = (outcome, message)
    return proc.returncode, outcomes, proc.stdout + proc.stderr


# One Python process collects for each pytest command line in turn (a pytest
# session each), printing the node ids each one selected: a subprocess per
# command would start Python, pytest and NumPy a dozen times.
_COLLECT_EACH = """
import contextlib, io, json, shlex, sys
import pytest
selected = []
for command in json.loads(sys.argv[1]):
    words = shlex.split(command)
    assert words[0] == "pytest", command
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = pytest.main([*words[1:], "--collect-only", "-q", "-p", "no:cacheprovider"])
    selected.append([int(code), [line for line in output.getvalue().splitlines() if "::" in line]])
print(json.dumps(selected))
"""


def collect_each(commands, cwd):
    """For each pytest command line (as a student types it, in ``cwd``): (exit code, [node ids it selects])."""
    proc = subprocess.run([sys.executable, "-c", _COLLECT_EACH, json.dumps(commands)], capture_output=True,
                          text=True, env=environment(), cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return [tuple(item) for item in json.loads(proc.stdout.splitlines()[-1])]
