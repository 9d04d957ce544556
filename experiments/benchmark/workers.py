"""The benchmark's worker processes, seen from the parent: one per checkout
whose tinynet is timed, and one for the reference contestants (the ceiling
and PyTorch), so that every contestant runs in a fresh process of its own
kind and none of them carries another checkout's modules.

    checkouts = parse_checkouts(["main=/work/main"])      # this one first
    with Workers(checkouts, reference=True) as workers:
        workers.ask("tinynet@main", "run", name="...", steps=400)
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().with_name("step_worker.py")
REFERENCE = "reference"              # the worker of the ceiling and torch


class Checkout(NamedTuple):
    """A folder holding a ``tinynet`` package, and the contestant label of its step."""

    label: str                       # "tinynet" for this checkout, "tinynet@NAME" for others
    path: Path


def parse_checkouts(compare):
    """This checkout, then one Checkout per ``[NAME=]PATH`` of ``--compare``.
    Raises ValueError naming a path without tinynet, or a name used twice."""
    checkouts = [Checkout("tinynet", REPO)]
    for text in compare:
        name, _, path = text.rpartition("=")
        folder = Path(path).expanduser().resolve()
        name = name or folder.name
        if not (folder / "tinynet" / "__init__.py").is_file():
            raise ValueError(f"--compare {text}: {folder} holds no tinynet package "
                             "(give the folder of a checkout, the one holding tinynet/)")
        label = f"tinynet@{name}"
        if label in {c.label for c in checkouts} or name == "tinynet":
            raise ValueError(f"--compare {text}: the name {name!r} is taken; give NAME=PATH")
        checkouts.append(Checkout(label, folder))
    return checkouts


def worker_env(path):
    """This environment with ``path`` (a checkout) alone at the front of PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    return env


class WorkerError(RuntimeError):
    """A worker refused a request or died; the message names the worker."""


class _Process:
    def __init__(self, key, path):
        self.key = key
        self.process = subprocess.Popen([sys.executable, str(WORKER)], cwd=path,
                                        env=worker_env(path), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, op, **request):
        try:
            self.process.stdin.write(json.dumps({"op": op, **request}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError) as error:
            raise WorkerError(f"worker {self.key} is gone ({error})") from None
        if not line:
            raise WorkerError(f"worker {self.key} exited (code {self.process.poll()}); "
                              "its stderr is above")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise WorkerError(f"{self.key}: {answer['error']}")
        return answer

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


class Workers:
    """``with Workers(checkouts, reference) as workers``: one process per
    checkout (keyed by its label), plus REFERENCE when ``reference``."""

    def __init__(self, checkouts, reference=True):
        self.checkouts = list(checkouts)
        self.reference = reference

    def __enter__(self):
        self.processes = {}
        try:
            for checkout in self.checkouts:
                self.processes[checkout.label] = _Process(checkout.label, checkout.path)
            if self.reference:
                self.processes[REFERENCE] = _Process(REFERENCE, REPO)
            for checkout in self.checkouts:
                self._check_tinynet(checkout)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _check_tinynet(self, checkout):
        """The worker must time the checkout's own tinynet, never another one."""
        about = self.ask(checkout.label, "about")
        found = Path(about.get("tinynet_file", "")).resolve()
        if found.parent.parent != checkout.path:
            raise WorkerError(f"{checkout.label}: the worker imported tinynet from {found}, "
                              f"not from {checkout.path}")

    def __exit__(self, *exc_info):
        for process in self.processes.values():
            process.close()

    @property
    def pids(self):
        return [p.process.pid for p in self.processes.values()]

    def ask(self, key, op, **request):
        return self.processes[key].ask(op, **request)

    def ask_all(self, op, **request):
        return {key: process.ask(op, **request) for key, process in self.processes.items()}
