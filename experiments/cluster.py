"""The lab's jobs on a Dask cluster: ``--scheduler tcp://HOST:8786`` (a
running ``dask scheduler`` with its ``dask worker`` processes) or
``--scheduler local`` (a LocalCluster of ``--workers`` processes here).

The only module that imports Dask, and only for ``--scheduler``
(runner.make_executor). It runs the very jobs the process pool runs, with
runner.attempt, so a seed's record is bit-identical to the pool's:

* The data travels with the jobs: this process reads each data split once
  and hands it to the cluster as a task of its own, which one worker holds
  and the others copy from it. A worker needs the code, not the data
  folder; and a split whose every holder died is simply sent again (a
  scattered one would be lost).
* One BLAS thread per run (runner.run_job) and one run at a time per
  worker process: tinynet's random numbers come from one generator per
  process.
* Results come back here, and this process alone writes the files
  (runner.run_jobs, atomically, as for the pool).

What goes wrong, and what the lab does:

* a worker dies (killed, out of memory): the scheduler runs its jobs on
  another worker; a job that kills every worker it runs on ends the run;
* the scheduler goes away: one line, exit status 2; every finished run is
  already stored, and rerunning the same command reuses them;
* Ctrl-C: the cluster's pending jobs are cancelled, finished ones kept;
* a job raises: one line naming its configuration, seed and worker;
* a worker with other versions (Python, NumPy, tinynet, or the lab's
  training code) is refused before anything is submitted, naming both
  sides' versions; a worker that joins later is checked by each job.
"""
import contextlib
import logging
import pickle
import sys
import uuid

import dask
from distributed import Client, LocalCluster, as_completed, get_worker

from . import interrupts
from .data import load_lab_data
from .runner import RunFailed, attempt

CONNECT_SECONDS = 10          # to reach a scheduler
WORKER_WAIT_SECONDS = 60      # for a first worker to join it


def versions():
    """What must agree between this process and every worker. Defined here
    but sent by value: it runs even where the lab cannot be imported."""
    def probe():
        import importlib
        import platform
        found = {"Python": ".".join(platform.python_version_tuple()[:2])}
        for name in ("numpy", "tinynet"):
            try:
                found[name] = importlib.import_module(name).__version__
            except ImportError:
                found[name] = "not installed"
        try:
            found["the lab's training code"] = importlib.import_module(
                "experiments.config").code_fingerprint()
        except ImportError:
            found["the lab's training code"] = "not importable"
        return found
    return probe


def version_problem(mine, theirs, worker):
    """What differs between this process's versions and a worker's (a
    sentence naming both), or None."""
    differ = [name for name in mine if theirs.get(name) != mine[name]]
    if not differ:
        return None
    def listed(found):
        return ", ".join(f"{name} {found.get(name)}" for name in differ)
    hint = ("start the workers from a checkout of the same code, with PYTHONPATH=<checkout>"
            if "the lab's training code" in differ else "install the same versions on every worker")
    return (f"refused: worker {worker} has {listed(theirs)}, but this process has {listed(mine)}; "
            f"{hint}")


def _data(split):
    """A data split, returned by a task: the cluster keeps it, and can rerun it."""
    return split


def _opaque(function, *args):
    """(task function, its first argument) for client.submit: ``function``
    and ``args`` travel as pickled bytes that only a worker unpickles. The
    scheduler unpickles every task it schedules; this way it needs neither
    the lab's code nor the data's classes (``call`` itself is sent by value)."""
    def call(payload, *results):
        import pickle
        function, args = pickle.loads(payload)
        return function(*args, *results)
    return call, pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)


def _run_on_worker(job, mine, data):
    """One job on a Dask worker: (key, record, failure) as runner.attempt."""
    where = get_worker().address
    problem = version_problem(mine, versions()(), where)
    if problem:
        return job.key, None, problem
    for array in vars(data).values():
        array.setflags(write=False)       # shared by every job of this worker: protect it
    key, record, failure = attempt(job, data)
    return key, record, failure and f"{failure} on worker {where}"


class DaskCluster:
    """The executor for ``--scheduler``. The first call of :meth:`results`
    connects (or starts the LocalCluster) and checks the workers; the
    cluster is let go when the jobs are done -- or, inside ``with
    executor:``, when the block ends, so that several calls share it -- and
    at once when the jobs stop (Ctrl-C, a failure)."""

    def __init__(self, scheduler, workers):
        self.scheduler, self.workers = scheduler, workers
        self.where = ("a LocalCluster" if scheduler == "local"
                      else f"the Dask scheduler at {scheduler}")
        self.client = self.cluster = self.mine = None
        self.held = False

    def __enter__(self):
        self.held = True
        return self

    def __exit__(self, *exc_info):
        self.held = False
        with _dask_quiet():
            self._release()

    def _connect(self):
        """(client, cluster): a client of the scheduler (and the LocalCluster it started)."""
        if self.scheduler == "local":
            with interrupts.ignored_by_workers():                  # Ctrl-C is the lab's
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.CRITICAL)
            return Client(cluster), cluster
        try:
            client = Client(self.scheduler, timeout=CONNECT_SECONDS)
        except OSError as error:
            raise RunFailed(f"cannot reach {self.where} ({error}): check the address, or start "
                            "it with `dask scheduler`", resumable=True) from None
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            client.close()
            raise RunFailed(f"no worker joined {self.where} within {WORKER_WAIT_SECONDS} s; start "
                            f"one with `dask worker {self.scheduler} --nthreads 1`",
                            resumable=True) from None
        return client, None

    def _check(self, client):
        """This process's versions; RunFailed for a worker whose versions differ."""
        mine = versions()()
        for worker, theirs in sorted(client.run(versions()).items()):
            problem = version_problem(mine, theirs, worker)
            if problem:
                raise RunFailed(problem)
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        threads = [info for info in workers if info["nthreads"] > 1]
        if threads:
            print(f"note: {len(threads)} worker(s) have several threads, and run one job at a "
                  "time each (tinynet has one random generator per process); start workers "
                  "with --nthreads 1 --nworkers N to use N cores", file=sys.stderr, flush=True)
        return mine

    def results(self, todo):
        """Yield runner.attempt()'s (key, record, failure) for each job as it
        finishes on the cluster."""
        if not todo:
            return
        with _dask_quiet():
            yield from self._run(todo)

    def _run(self, todo):
        if self.client is None:
            self.client, self.cluster = self._connect()
            try:
                self.mine = self._check(self.client)
            except OSError as error:                # the connection broke during the check
                self._release()
                raise self._lost(error) from None
            except BaseException:                   # refused, or Ctrl-C
                self._release()
                raise
        client, futures, done = self.client, {}, False
        try:
            splits = {}
            for job in todo:                      # longest first: Dask starts them in this order
                c = job.config
                needed = (c.dataset, c.train_size, c.val_size)
                if needed not in splits:        # the test images are 7.8 MB: not a warning
                    with dask.config.set({"distributed.admin.large-graph-warning-threshold":
                                          "100MB"}):
                        splits[needed] = client.submit(
                            *_opaque(_data, load_lab_data(*needed, job.data_dir)), pure=False,
                            key=f"lab-data-{'-'.join(map(str, needed))}-{uuid.uuid4().hex[:8]}")
                future = client.submit(*_opaque(_run_on_worker, job, self.mine), splits[needed],
                                       pure=False, key=f"lab-{job.label}-{uuid.uuid4().hex[:8]}")
                futures[future] = job
            for future in as_completed(list(futures)):
                job = futures.pop(future)
                yield self._outcome(client, future, job)
                future.release()                  # stored here: the cluster may forget it
            done = True
        except OSError as error:                  # the connection broke during a call
            raise self._lost(error) from None
        finally:
            if futures and client.status == "running":
                try:
                    client.cancel(list(futures))  # what did not run (Ctrl-C, a failure)
                except (OSError, TimeoutError):
                    pass
            if not (done and self.held):
                self._release()

    def _outcome(self, client, future, job):
        if future.status == "finished":
            try:
                return future.result()
            except OSError as error:
                raise self._lost(error) from None
        if client.status != "running":
            raise self._lost("the connection to it was lost")
        if future.status == "cancelled":         # not by this client: it cancels only when stopping
            raise RunFailed(f"{job.label} was cancelled on {self.where} (by another client, or "
                            "a restart of the cluster)", resumable=True)
        error = future.exception()
        if type(error).__name__ == "KilledWorker":
            raise RunFailed(f"{job.label}: every worker that ran it died (killed, or out of "
                            "memory)")
        raise RunFailed(f"{job.label} failed on the cluster ({type(error).__name__}: {error})")

    def _lost(self, why):
        first_line = str(why).strip().splitlines()[0] if str(why).strip() else "no reason given"
        return RunFailed(f"{self.where} went away ({first_line})", resumable=True)

    def _release(self):
        """Let go of the cluster: close the client, and the LocalCluster."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        try:
            if client is not None:
                client.close(timeout=CONNECT_SECONDS)
            if cluster is not None:
                cluster.close(timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError):
            pass                                  # already gone


@contextlib.contextmanager
def _dask_quiet():
    """Dask's own log lines off while the lab uses the cluster: the lab says
    in one line what happened (a lost scheduler would make the client log
    each reconnection attempt with a traceback)."""
    before = logging.root.manager.disable
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(before)
