"""The lab's jobs on a real Dask cluster (``--scheduler``): the same records
as the process pool, and faults survived with nothing lost.

Real processes throughout: a LocalCluster started by the lab, or a
``dask scheduler`` and ``dask worker`` processes started here on 127.0.0.1
(random free ports, each in its own session, killed at the end), killed
mid-run with SIGKILL. The workers run in a folder without the data and
with no data folder configured: the data travels with the jobs.
"""
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments import runner
from experiments.config import RunConfig
from helpers import run_cli, without_timing

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
TIMEOUT = 300                       # seconds, for any lab run here
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason='Dask is not installed: pip install -e ".[cluster]"')
needs_posix = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
# 5 configurations (λ = 0 and four values) x 2 seeds = 10 runs
SMALL_LAB = ["l2", "--seeds", "2", "--epochs", "4", "--train-size", "200"]
RUNS = 10


def progress_line(line, count):
    """Whether ``line`` is the progress line of the ``count``-th finished run."""
    return re.match(rf"\[\s*{count}/", line) is not None


def lab(args, out, env=ENV):
    """Start ``python -m experiments ARGS --out OUT`` in its own session."""
    return subprocess.Popen([sys.executable, "-m", "experiments", *args, "--out", str(out)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def run_until(args, out, count, action):
    """Start the lab, call ``action(lab process)`` when the progress line of
    the ``count``-th finished run appears; (exit status, stderr)."""
    run = lab(args, out)
    seen = []
    for line in run.stderr:
        seen.append(line)
        if progress_line(line, count):
            action(run)
            break
    _, rest = run.communicate(timeout=TIMEOUT)
    return run.returncode, "".join(seen) + rest


def stored(out):
    return {p.relative_to(out): json.loads(p.read_text()) for p in sorted(out.glob("*/seeds/*.json"))}


def kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1. The
    workers can import the lab (PYTHONPATH) but have no data; the scheduler
    has neither."""

    def __init__(self, folder):
        self.folder = folder
        self.workers = []
        self.env = dict(os.environ, DASK_TEMPORARY_DIRECTORY=str(folder),
                        PYTHONPATH=str(ROOT), TINYNET_DATA=str(folder / "no-data-here"))
        (folder / "no-data-here").mkdir()
        address_file = folder / "scheduler.json"
        without_the_lab = {k: v for k, v in self.env.items() if k != "PYTHONPATH"}
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--no-dashboard", "--scheduler-file", str(address_file)],
                                     "scheduler", without_the_lab)
        deadline = time.monotonic() + 60
        while not address_file.exists():
            assert time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            assert self.scheduler.poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        time.sleep(0.2)                              # the file is written, then filled
        self.address = json.loads(address_file.read_text())["address"]

    def _start(self, args, log, env=None):
        return subprocess.Popen(["dask", *args], cwd=self.folder, env=env or self.env,
                                stdout=subprocess.DEVNULL, stderr=open(self.folder / f"{log}.log", "w"),
                                start_new_session=True)

    def add_worker(self, env=None):
        name = f"worker{len(self.workers)}"
        self.workers.append(self._start(["worker", self.address, "--host", "127.0.0.1",
                                         "--nthreads", "1", "--no-dashboard", "--name", name],
                                        name, env))

    def wait_for_workers(self, count):
        from distributed import Client
        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=60)

    def log(self, name):
        return (self.folder / f"{name}.log").read_text()

    def close(self):
        for process in [*self.workers, self.scheduler]:
            kill_group(process)


@pytest.fixture
def dask_cluster(tmp_path):
    folder = tmp_path / "cluster"
    folder.mkdir()
    cluster = Cluster(folder)
    yield cluster
    cluster.close()


# --------------------------------------------------------------------------
# Without --scheduler, nothing of Dask
# --------------------------------------------------------------------------
def test_a_default_run_never_imports_dask(tmp_path):
    code = ("import sys; from experiments import cli; "
            f"code = cli.main(['baseline', '--seeds', '1', '--epochs', '1', '--train-size', '60', "
            f"'--workers', '1', '--out', {str(tmp_path)!r}]); "
            "assert code == 0, code; "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')); "
            "assert not loaded, loaded")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert len(stored(tmp_path)) == 1


def test_scheduler_without_dask_names_the_extra(capsys, tmp_path, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real_find_spec(name, *a))
    code, _, err = run_cli(["baseline", "--scheduler", "local", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        'python -m experiments: error: --scheduler runs the jobs on a Dask cluster and needs '
        'Dask, which is not installed: pip install -e ".[cluster]"']
    assert not list(tmp_path.iterdir())                   # refused before anything was written


@pytest.mark.parametrize("address", ["tcp://", "tcp://host", "host:99999", "http://host:8786",
                                     "loca", "tcp://host:8786/path", ""])
def test_a_scheduler_address_that_cannot_be_one_is_a_usage_error(capsys, tmp_path, address):
    code, _, err = run_cli(["baseline", "--scheduler", address, "--out", str(tmp_path)], capsys)
    assert code == 2
    assert (f"--scheduler: expected 'local' or the address of a dask scheduler, such as "
            f"tcp://192.168.0.10:8786, got {address!r}") in err


# --------------------------------------------------------------------------
# The same records as the process pool
# --------------------------------------------------------------------------
@needs_dask
def test_a_local_cluster_gives_the_process_pools_records(capsys, tmp_path):
    small = ["dropout", "--seeds", "2", "--epochs", "2", "--train-size", "100", "--workers", "2"]
    on_cluster = lab([*small, "--scheduler", "local"], tmp_path / "cluster")
    _, err = on_cluster.communicate(timeout=TIMEOUT)
    assert on_cluster.returncode == 0, err
    assert "Traceback" not in err, err
    code, _, pool_err = run_cli([*small, "--out", str(tmp_path / "pool")], capsys)
    assert code == 0, pool_err
    cluster, pool = stored(tmp_path / "cluster"), stored(tmp_path / "pool")
    assert len(pool) == 4 and sorted(cluster) == sorted(pool)       # 2 configurations x 2 seeds
    assert without_timing(cluster) == without_timing(pool)          # bit-identical, masks too
    assert len(re.findall(r"^\[\d/4\] ", err, re.M)) == 4            # progress as with the pool


# --------------------------------------------------------------------------
# Faults: a worker killed, the scheduler killed, Ctrl-C
# --------------------------------------------------------------------------
@needs_dask
@needs_posix
def test_a_worker_killed_mid_run_has_its_jobs_rerun_elsewhere(tmp_path, dask_cluster):
    dask_cluster.add_worker()
    dask_cluster.add_worker()
    dask_cluster.wait_for_workers(2)
    out = tmp_path / "results"
    code, err = run_until([*SMALL_LAB, "--scheduler", dask_cluster.address], out, 1,
                          lambda run: kill_group(dask_cluster.workers[0]))  # 8 runs still waiting
    assert code == 0, err
    assert re.search(r"Remove worker addr: \S+ name: worker0", dask_cluster.log("scheduler"))
    progress = re.findall(r"^\[\s*(\d+)/10\] (\S+ seed \d)", err, re.M)
    assert sorted(int(n) for n, _ in progress) == list(range(1, RUNS + 1))
    assert len({job for _, job in progress}) == RUNS                 # every run reported once
    assert len(stored(out)) == RUNS and not list(out.rglob("*.tmp"))


@needs_dask
@needs_posix
def test_a_scheduler_killed_mid_run_ends_in_one_line_and_a_rerun_reuses_the_runs(
        tmp_path, dask_cluster):
    dask_cluster.add_worker()
    dask_cluster.wait_for_workers(1)
    out = tmp_path / "results"
    code, err = run_until([*SMALL_LAB, "--scheduler", dask_cluster.address], out, 2,
                          lambda run: kill_group(dask_cluster.scheduler))
    assert code == 2, err
    message = [line for line in err.splitlines() if not re.match(r"\[\s*\d+/", line)]
    assert len(message) == 1, err                                    # one line, no traceback
    found = re.fullmatch(rf"python -m experiments: error: the Dask scheduler at "
                         rf"{dask_cluster.address} went away \(.+\); (\d+) of {RUNS} runs are "
                         rf"finished and stored in {out}/; rerun the same command to resume",
                         message[0])
    assert found, message[0]
    kept = stored(out)
    assert int(found.group(1)) == len(kept) >= 2

    again = subprocess.run([sys.executable, "-m", "experiments", *SMALL_LAB, "--out", str(out)],
                           cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=TIMEOUT)
    assert again.returncode == 0, again.stderr
    assert f"reusing {len(kept)} finished run(s)" in again.stderr
    assert len(stored(out)) == RUNS
    assert without_timing({p: r for p, r in stored(out).items() if p in kept}) == \
        without_timing(kept)                                         # reused, not rewritten


@needs_dask
@needs_posix
def test_ctrl_c_cancels_the_clusters_jobs_and_keeps_the_finished_ones(tmp_path):
    out = tmp_path / "results"
    started = []
    code, err = run_until([*SMALL_LAB, "--scheduler", "local", "--workers", "2"], out, 2,
                          # as a terminal's Ctrl-C: to every process of the group
                          lambda run: started.append(run) or os.killpg(run.pid, signal.SIGINT))
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    found = re.search(rf"interrupted: (\d+) of {RUNS} runs are finished and stored in ", err)
    assert found, err
    assert int(found.group(1)) == len(stored(out)) >= 2
    deadline = time.monotonic() + 30           # the LocalCluster's processes are gone too
    while True:
        try:
            os.killpg(started[0].pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "worker processes outlived the lab"
        time.sleep(0.2)


# --------------------------------------------------------------------------
# Refusals and failures: one line each
# --------------------------------------------------------------------------
@needs_dask
@needs_posix
def test_a_worker_with_another_tinynet_is_refused_naming_both_versions(tmp_path, dask_cluster):
    other = tmp_path / "other"
    shutil.copytree(ROOT / "tinynet", other / "tinynet")
    init = other / "tinynet" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]*"', '__version__ = "0.0.1.dev0"', init.read_text()))
    import tinynet
    dask_cluster.add_worker(env=dict(dask_cluster.env, PYTHONPATH=f"{other}{os.pathsep}{ROOT}"))
    dask_cluster.wait_for_workers(1)
    out = tmp_path / "results"
    run = lab([*SMALL_LAB, "--scheduler", dask_cluster.address], out)
    _, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == 2, err
    line = err.strip().splitlines()[-1]
    assert re.fullmatch(
        r"python -m experiments: error: refused: worker tcp://127\.0\.0\.1:\d+ has tinynet "
        rf"0\.0\.1\.dev0, the lab's training code \w+, but this process has tinynet "
        rf"{re.escape(tinynet.__version__)}, the lab's training code \w+; start the workers from "
        rf"a checkout of the same code, with PYTHONPATH=<checkout>; 0 of {RUNS} runs are "
        rf"finished and stored in {out}/", line), err
    assert not stored(out)


@needs_dask
def test_an_unreachable_scheduler_is_one_line(capsys, tmp_path):
    import socket
    with socket.socket() as probe:             # a free port, with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run_cli(["baseline", "--seeds", "1", "--epochs", "1", "--scheduler",
                            f"127.0.0.1:{port}", "--out", str(tmp_path)], capsys)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(f"python -m experiments: error: cannot reach the Dask scheduler at "
                           f"tcp://127.0.0.1:{port} (")
    assert line.endswith(f"check the address, or start it with `dask scheduler`; 0 of 1 runs "
                         f"are finished and stored in {tmp_path}/; rerun the same command to resume")


@needs_dask
def test_a_job_that_raises_is_named_with_its_configuration_and_seed(tmp_path):
    config = RunConfig("lecture", "baseline", epochs=1, train_size=60)
    broken = runner.Job("baseline", config, 3, "jax")         # no such framework: the job raises
    for executor, where in ((runner.make_executor(1, "local"), r" on worker tcp://127\.0\.0\.1:\d+"),
                            (runner.make_executor(1), "")):
        with pytest.raises(runner.RunFailed) as failed:
            runner.run_jobs([broken], tmp_path, executor=executor)
        assert re.fullmatch(
            r"baseline/lecture seed 3 \(jax\) raised ValueError: unknown framework 'jax' "
            rf"\(experiments/learner\.py:\d+\){where}; 0 of 1 runs are finished and stored in "
            rf"{tmp_path}/", str(failed.value)), str(failed.value)
        assert not failed.value.resumable
