"""Runs every (configuration, seed) job of one or more experiments.

* Jobs run on an executor. The default, :class:`ProcessPool`, is a pool of
  ``workers`` processes (default 2, one per core), each limited to ONE BLAS
  thread: the lab's matrices are small, so one thread per job is faster
  than sharing threads between jobs, and a fixed thread count also keeps
  float results bit-identical from run to run. With ``workers=1`` jobs run
  in this process (easy to debug). ``--scheduler`` runs them on a Dask
  cluster instead (cluster.py, the one module that imports Dask): the same
  jobs, the same records, bit-identical to the pool's.
* Every finished seed is written at once, by this process only (atomically,
  through storage.py), to
  ``<out>/<experiment>/seeds/<config>__seed<k>[__torch].json``. A rerun
  reuses a stored seed when it is a complete record with settings equal to
  the requested ones, so an interrupted run (Ctrl-C) loses only the jobs
  that were running. A corrupt or incomplete seed file is named in a
  one-line warning and recomputed.
* A job that raises, or a cluster that goes away, ends the runs with one
  line naming the job (configuration, seed) or the cluster and what is
  stored (:class:`RunFailed`, exit status 2), never with a traceback.
* A progress line per finished job goes to stderr (progress.py).
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import multiprocessing
import os
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

from threadpoolctl import threadpool_limits

from . import interrupts, storage, train
from .progress import Progress
from .record_check import record_problem, value_problem
from .data import load_lab_data

# Limit BLAS/OpenMP threads in worker processes. Spawned workers inherit the
# environment, and these variables take effect before they import numpy.
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}


@dataclass(frozen=True)
class Job:
    """One training run: a configuration of an experiment, a seed, a framework."""

    experiment: str
    config: object            # config.RunConfig
    seed: int
    framework: str            # "tinynet" or "torch"
    data_dir: str | None = None
    verbose: bool = False

    @property
    def key(self):
        return (self.experiment, self.framework, self.config.name, self.seed)

    @property
    def label(self):
        """How messages name the job: ``baseline/lecture seed 3 (tinynet)``."""
        return f"{self.experiment}/{self.config.name} seed {self.seed} ({self.framework})"

    def path(self, out):
        suffix = "" if self.framework == "tinynet" else f"__{self.framework}"
        return Path(out) / self.experiment / "seeds" / f"{self.config.name}__seed{self.seed}{suffix}.json"

    def cost(self):
        """Rough relative run time (number of SGD steps), to start long jobs first."""
        c = self.config
        return c.epochs * (c.images_per_epoch // c.batch_size) + 10 * c.epochs


# --------------------------------------------------------------------------
# Stored seeds
# --------------------------------------------------------------------------
def _same_settings(stored, wanted, ignore_code=False):
    if ignore_code:
        stored, wanted = dict(stored, code=None), dict(wanted, code=None)
    return stored == wanted


def load_stored(job, out, ignore_code=False):
    """(record, status) of ``job``'s stored seed file; record is None unless
    status is "ok". status: "missing", "corrupt" (named in a one-line
    warning on stderr: the file and the field), "stale" (run with other
    settings or other code: ``ignore_code`` accepts other code), or "ok"
    (a record whose every value a run of these settings can produce,
    record_check.py)."""
    path = job.path(out)
    if not path.exists():
        return None, "missing"
    record = storage.read_json(path)         # warns itself when the JSON is unreadable
    if record is None:
        return None, "corrupt"
    problem = record_problem(record)
    if problem is None and (record["seed"] != job.seed or record["framework"] != job.framework):
        problem = f"it holds seed {record['seed']} ({record['framework']})"
    if problem is None and not _same_settings(record["settings"], job.config.settings(),
                                              ignore_code):
        return None, "stale"
    if problem is None:
        problem = value_problem(record, job.config)
    if problem is not None:
        storage.warn(f"warning: {path} is incomplete or invalid ({problem}); ignoring it")
        return None, "corrupt"
    return record, "ok"


def load_finished(job, out):
    """The stored record of ``job`` if it is complete and was run with the
    same settings and code; None otherwise (missing, corrupt, or stale)."""
    return load_stored(job, out)[0]


# --------------------------------------------------------------------------
# Running one job (in a worker process, on a Dask worker, or in this one)
# --------------------------------------------------------------------------
# tinynet draws every random number from ONE generator per process: two runs
# in threads of one process (a Dask worker started with several threads)
# would draw from it in turn, and neither would get its seed's numbers.
_ONE_RUN_AT_A_TIME = threading.Lock()


def run_job(job, data=None):
    """Train one job; returns (job.key, record). ``data`` (a data.LabData)
    is read from ``job.data_dir`` unless given (a Dask worker receives it)."""
    if data is None:
        data = load_lab_data(job.config.dataset, job.config.train_size, job.config.val_size,
                             job.data_dir)
    log = None
    if job.verbose:
        log = lambda line: print(f"[{job.label}] {line}", flush=True)   # noqa: E731
    with _ONE_RUN_AT_A_TIME, threadpool_limits(limits=1):
        record = train.run(job.config, job.seed, data, framework=job.framework, log=log)
    record["experiment"], record["config"] = job.experiment, job.config.name
    return job.key, record


def attempt(job, data=None):
    """:func:`run_job`, with an exception turned into one line for the
    message: (key, record, None), or (key, None, "raised ValueError: ...
    (experiments/train.py:57)") when the job raised."""
    try:
        return (*run_job(job, data), None)
    except Exception as error:    # noqa: BLE001 - any error of a job is reported, with its job
        return job.key, None, f"raised {type(error).__name__}: {error} ({_where(error)})"


def _where(error):
    """file:line of the innermost frame of ``error`` in the lab or tinynet
    (the innermost of all when none is), relative to the checkout."""
    root = Path(__file__).resolve().parents[1]
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(root)] or frames
    if not ours:
        return "no traceback"
    path = Path(ours[-1].filename).resolve()
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}:{ours[-1].lineno}"


class RunFailed(Exception):
    """The runs cannot go on -- a job raised, the cluster went away or was
    refused: one line, exit status 2. ``resumable``: rerunning the same
    command can finish the runs (it would not for a job that raises)."""

    def __init__(self, message, resumable=False):
        super().__init__(message)
        self.resumable = resumable


MISSING_DASK = ('--scheduler runs the jobs on a Dask cluster and needs Dask, which is not '
                'installed: pip install -e ".[cluster]"')


def make_executor(workers, scheduler=None):
    """What runs the jobs: the process pool of ``workers`` processes, or for
    ``scheduler`` ("local", or the address of a running ``dask scheduler``)
    a Dask cluster. Dask is imported only here, and only for a scheduler."""
    if scheduler is None:
        return ProcessPool(workers)
    if importlib.util.find_spec("distributed") is None:
        raise RunFailed(MISSING_DASK)
    from .cluster import DaskCluster
    return DaskCluster(scheduler, workers)


def _init_worker():
    threadpool_limits(limits=1)


class ProcessPool:
    """The default executor: ``workers`` fresh processes on this machine, or
    this process when ``workers`` is 1 (or there is one job)."""

    def __init__(self, workers):
        self.workers = workers

    def __enter__(self):          # as DaskCluster: a block may share the executor's workers
        return self

    def __exit__(self, *exc_info):
        pass                      # each call of results() starts and stops its own processes

    def results(self, todo):
        """Yield attempt()'s (key, record, failure) for each job as it finishes."""
        if self.workers == 1 or len(todo) <= 1:
            for job in todo:
                yield attempt(job)
            return
        os.environ.update(_ONE_THREAD)
        context = multiprocessing.get_context("spawn")   # fresh interpreters: safe with torch, BLAS
        with interrupts.ignored_by_workers():            # Ctrl-C is the parent's, which stops them
            pool = context.Pool(min(self.workers, len(todo)), initializer=_init_worker)
        try:
            yield from pool.imap_unordered(attempt, todo, chunksize=1)
            pool.close()
        finally:
            pool.terminate()     # on Ctrl-C or an error: stop the running jobs now
            pool.join()


# --------------------------------------------------------------------------
# Running many jobs
# --------------------------------------------------------------------------
class Interrupted(Exception):
    """Ctrl-C arrived; ``records`` holds every finished run."""

    def __init__(self, records):
        super().__init__("interrupted")
        self.records = records


def _same_run(job):
    """Jobs with equal settings, seed and framework produce the same record."""
    return (json.dumps(job.config.settings(), sort_keys=True), job.seed, job.framework)


def run_jobs(jobs, out, workers=2, fresh=False, stream=None, executor=None):
    """Run ``jobs`` (reusing stored seeds unless ``fresh``) on ``executor``
    (default: a ProcessPool of ``workers``); return ({job.key: record},
    number of records reused from disk). Raises Interrupted on Ctrl-C,
    whenever it comes, with exactly the records that are stored on disk,
    and RunFailed (its message says how many runs are stored) when a job
    raises or the executor cannot go on.

    Configurations with identical settings -- the baseline, L1 with λ = 0 and
    L2 with λ = 0 -- are trained once per seed, and the record is stored
    under each of their names.
    """
    executor = executor or ProcessPool(workers)
    records, groups, stale = {}, {}, 0
    try:
        with interrupts.deferred():     # Ctrl-C after reading every stored seed: all are counted
            for job in jobs:
                stored, status = (None, "fresh") if fresh else load_stored(job, out)
                stale += status == "stale"
                if stored is not None:
                    records[job.key] = dict(stored, experiment=job.experiment,
                                            config=job.config.name)
                else:
                    groups.setdefault(_same_run(job), []).append(job)
        if stale:
            print(f"recomputing {stale} stored run(s) made with other settings or other code",
                  file=stream or sys.stderr, flush=True)
        by_leader = {group[0].key: group for group in groups.values()}   # the first job runs
        todo = sorted((group[0] for group in groups.values()), key=Job.cost, reverse=True)
        progress = Progress(todo, reused=len(records), stream=stream)   # longest jobs first
        with contextlib.closing(executor.results(todo)) as results:   # closing stops the workers
            for key, record, failure in results:
                if failure:
                    raise RunFailed(f"{by_leader[key][0].label} {failure}")
                with interrupts.deferred():      # each file written AND counted, or neither
                    for job in by_leader[key]:
                        copy = dict(record, experiment=job.experiment, config=job.config.name)
                        storage.write_json(job.path(out), copy)
                        records[job.key] = copy
                progress.update(by_leader[key][0], record)
    except KeyboardInterrupt:
        raise Interrupted(records) from None
    except RunFailed as failure:
        resume = "; rerun the same command to resume" if failure.resumable else ""
        raise RunFailed(f"{failure}; {len(records)} of {len(jobs)} runs are finished and stored "
                        f"in {out}/{resume}", failure.resumable) from None
    return records, progress.reused
