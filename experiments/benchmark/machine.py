"""The machine the benchmark runs on: its configuration, and whether other
processes disturbed a measurement.

Shared machines: around every timed slot the CPU time used by *other*
processes is read (psutil). A slot during which they needed the cores this
configuration uses is "disturbed": the timing round is run again, and a
configuration without enough undisturbed rounds is marked with "*".
"""
import datetime
import os
import platform
import time
from pathlib import Path

import numpy as np
import psutil
from threadpoolctl import threadpool_info

BLAS_VARIABLE_PREFIXES = ("OPENBLAS", "OMP_", "MKL_", "GOTO", "BLIS", "VECLIB")


def cpu_model():
    """The CPU's model name (Linux /proc/cpuinfo, else what platform knows)."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(about):
    """Versions, CPU, BLAS libraries and their thread counts, as a dict.
    ``about``: what each worker process reports of itself ({worker: dict})."""
    env = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(), "numpy": np.__version__,
        "platform": platform.platform(), "cpu": cpu_model(), "cpu_count": os.cpu_count(),
        "blas_env": {key: value for key, value in sorted(os.environ.items())
                     if key.startswith(BLAS_VARIABLE_PREFIXES)},
        "threadpool_info": threadpool_info(),
        "workers": about,
    }
    for worker in about.values():
        env.update({key: value for key, value in worker.items() if key.startswith("torch")})
    return env


def print_environment(env):
    print("## Machine and BLAS configuration\n")
    print(f"- CPU: {env['cpu']} ({env['cpu_count']} logical CPUs); {env['platform']}")
    versions = [f"Python {env['python']}", f"NumPy {env['numpy']}"]
    if "torch" in env:
        versions.append(f"PyTorch {env['torch']}")
    print("- " + ", ".join(versions))
    for worker, about in env["workers"].items():
        if worker.startswith("tinynet"):                  # the timed checkouts
            print(f"- {worker}: tinynet {about['tinynet']} from {Path(about['tinynet_file']).parent}")
    blas_env = env["blas_env"]
    print("- BLAS environment variables: "
          + (", ".join(f"{key}={value}" for key, value in blas_env.items()) if blas_env else "none set"))
    if "torch_num_threads" in env:
        print(f"- PyTorch: {env['torch_num_threads']} threads by default, BLAS {env['torch_blas']}, "
              f"oneDNN {'on' if env['torch_mkldnn'] else 'off'}")
    print("- threadpoolctl.threadpool_info():\n")
    print("| user_api | internal_api | version | architecture (kernel) | threading | threads | library |")
    print("|---|---|---|---|---|---|---|")
    for library in env["threadpool_info"]:
        print(f"| {library.get('user_api')} | {library.get('internal_api')} | {library.get('version')} | "
              f"{library.get('architecture', '—')} | {library.get('threading_layer', '—')} | "
              f"{library.get('num_threads')} | {Path(library.get('filepath', '')).name} |")
    print()


def blas_thread_counts():
    """The thread count of every BLAS library loaded in this process."""
    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]


class CpuMonitor:
    """CPU time used on this machine by OTHER processes (and the hypervisor).

    Another process busy on one of two cores wrecks a 2-thread measurement,
    whose threads then wait for each other's time slices. Around every timed
    slot we read the machine's busy time (/proc/stat via psutil, including
    steal time) minus this process's own CPU time. A slot is "disturbed"
    when others used more than the cores the benchmark leaves free
    (cpu_count - threads) plus a small allowance (``limit_fraction`` of a
    core, at least ``limit_seconds``: /proc/stat counts in 10 ms ticks).
    """

    def __init__(self, threads=1, pids=(), limit_fraction=0.10, limit_seconds=0.025):
        self.free_cores = max(0, (os.cpu_count() or 1) - threads)
        self.processes = [psutil.Process()] + [psutil.Process(pid) for pid in pids]
        self.limit_fraction, self.limit_seconds = limit_fraction, limit_seconds

    def snapshot(self):
        """(machine busy CPU seconds, CPU seconds of this process, its finished
        children and the benchmark's worker processes ``pids``)."""
        machine = psutil.cpu_times()
        busy = (machine.user + machine.nice + machine.system + getattr(machine, "irq", 0)
                + getattr(machine, "softirq", 0) + getattr(machine, "steal", 0))
        own = 0.0
        for process in self.processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            own += (times.user + times.system + getattr(times, "children_user", 0)
                    + getattr(times, "children_system", 0))
        return busy, own

    def foreign(self, before, after):
        """CPU seconds others used between two snapshots."""
        return max(0.0, (after[0] - before[0]) - (after[1] - before[1]))

    def disturbed(self, foreign, wall):
        allowance = max(self.limit_fraction * wall, self.limit_seconds)
        return foreign > self.free_cores * wall + allowance


class CpuWatch:
    """``with CpuWatch(threads) as watch: ...`` -> ``watch.info``: CPU seconds
    used by other processes meanwhile, and whether that disturbed the run."""

    def __init__(self, threads):
        self.monitor, self.info = CpuMonitor(threads), {}

    def __enter__(self):
        self.before, self.start = self.monitor.snapshot(), time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        wall = time.perf_counter() - self.start
        foreign = self.monitor.foreign(self.before, self.monitor.snapshot())
        self.info = {"foreign_cpu_s": foreign, "disturbed": self.monitor.disturbed(foreign, wall)}
