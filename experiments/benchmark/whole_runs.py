"""Whole runs: one lecture baseline run, the whole lab, and one full epoch
of Fashion-MNIST with its peak memory (in a fresh child process)."""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from .machine import CpuWatch, blas_thread_counts
from .network import SIZES
from .tables import MB, format_seconds
from .workers import REPO, worker_env

MEMORY_CHILD = Path(__file__).resolve().with_name("memory_child.py")

LECTURE = {"dataset": "mnist", "n_train": 300, "batch_size": 10, "epochs": 100, "lr": 0.1}
EPOCH = {"dataset": "fashion-mnist", "batch_size": 100}


def lecture_run(root, threads=None, seed=0):
    """One lecture baseline run through the lab's own code, as
    ``python -m experiments`` runs each seed: ``experiments.train.run`` with
    the baseline experiment's first configuration (test evaluations included)."""
    from experiments import get_experiment
    from experiments.data import load_lab_data
    from experiments.train import run

    config = get_experiment("baseline").configs[0]
    settings = {"dataset": config.dataset, "n_train": config.train_size,
                "batch_size": config.batch_size, "epochs": config.epochs, "lr": config.lr}
    if settings != LECTURE or config.batchnorm != "none" or config.dropout or config.l1 or config.l2:
        raise ValueError(f'get_experiment("baseline").configs[0] is not the lecture baseline: {settings}')
    with threadpool_limits(limits=threads), CpuWatch(threads or os.cpu_count()) as watch:
        blas_threads = blas_thread_counts()
        start = time.perf_counter()
        data = load_lab_data(config.dataset, config.train_size, config.val_size, data_dir=root)
        load_seconds = time.perf_counter() - start
        start = time.perf_counter()
        record = run(config, seed, data, framework="tinynet")
        seconds = time.perf_counter() - start
    steps = config.epochs * (config.train_size // config.batch_size)      # drop_last=True
    final = record.get("final", {})
    return {"source": f'experiments.train.run(get_experiment("baseline").configs[0], seed={seed})',
            "seconds": seconds, "load_seconds": load_seconds, "steps": steps,
            "steps_per_s_incl_eval": steps / seconds, "test_accuracy": final.get("test_acc"),
            "final_train_loss": final.get("train_loss"), "eval_every": config.eval_every,
            **LECTURE, "threads": threads, "blas_threads": blas_threads, **watch.info}


def lab_run(root):
    """``python -m experiments`` (every experiment, 10 seeds, its default
    workers) in a subprocess, with --fresh into a scratch folder: nothing
    reused from, nor written to, the team's results/."""
    with tempfile.TemporaryDirectory(prefix="tinynet-lab-") as scratch:
        command = [sys.executable, "-m", "experiments", "--seeds", "10", "--fresh", "--out", scratch]
        if root:
            command += ["--data-dir", root]
        with CpuWatch(os.cpu_count()) as watch:
            start = time.perf_counter()
            process = subprocess.run(command, cwd=REPO, env=worker_env(REPO), capture_output=True, text=True)
            seconds = time.perf_counter() - start
    return {"measured": True, "seconds": seconds, "returncode": process.returncode, **watch.info,
            "command": "python -m experiments --seeds 10 --fresh --out <scratch dir>",
            "stdout_tail": process.stdout[-2000:], "stderr_tail": process.stderr[-2000:]}


def memory_budget(n_images, image_pixels, batch_size):
    """What one epoch may hold: the data set as float32, one batch of
    activations and gradients, and the parameters three times; in bytes."""
    float32_bytes = n_images * image_pixels * 4
    # the input batch, every layer's output (Linear and ReLU) and the
    # gradient w.r.t. each of them, float32
    activation_bytes = batch_size * (SIZES[0] + 2 * 2 * sum(SIZES[1:-1]) + 2 * SIZES[-1]) * 4
    n_params = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]))
    parameter_bytes = 3 * n_params * 4   # weights, gradients, one spare copy (update / momentum)
    return {"dataset_float32_bytes": float32_bytes, "dataset_uint8_bytes": n_images * image_pixels,
            "batch_activation_bytes": activation_bytes, "parameter_bytes": parameter_bytes,
            "budget_bytes": float32_bytes + activation_bytes + parameter_bytes}


def epoch_and_memory(root, threads):
    """One full Fashion-MNIST epoch at batch 100 in a fresh child process.

    Returns (epoch figures, memory figures). The child is a plain script
    (memory_child.py), so it holds no torch, matplotlib or lab modules.
    """
    command = [sys.executable, str(MEMORY_CHILD),
               "--dataset", EPOCH["dataset"], "--batch-size", str(EPOCH["batch_size"])]
    if root:
        command += ["--data-dir", root]
    if threads:
        command += ["--threads", str(threads)]
    with CpuWatch(threads or os.cpu_count()) as watch:
        process = subprocess.run(command, cwd=REPO, env=worker_env(REPO), capture_output=True, text=True)
    lines = process.stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        last = (process.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"memory_child.py exited with {process.returncode}: {last}")
    child = json.loads(lines[-1])

    budget = memory_budget(child["n_images"], int(np.prod(child["image_shape"])), child["batch_size"])
    held = child["peak"] - child["rss_after_imports"]
    memory = {
        key: child[key] for key in ("peak", "ru_maxrss", "rss_after_imports", "peak_before_epoch",
                                    "rss_after_load", "peak_after_load", "rss_after_loader",
                                    "peak_epoch")
    }
    memory.update(budget)
    memory.update({
        "peak_minus_baseline": held,
        "epoch_peak_minus_baseline": (child["peak_epoch"] - child["rss_after_imports"]
                                      if child["peak_epoch"] else None),
        "loaded_images_dtype": child["images_dtype"], "loaded_images_nbytes": child["images_nbytes"],
        "peak_vs_float32": held / budget["dataset_float32_bytes"],
        "peak_vs_uint8": held / budget["dataset_uint8_bytes"],
        "pass": bool(held <= budget["budget_bytes"]), "child_modules_loaded": child["modules_loaded"],
    })
    epoch = {key: child[key] for key in ("dataset", "n_images", "batch_size", "steps", "samples",
                                         "mean_loss", "load_seconds", "epoch_seconds",
                                         "samples_per_s", "steps_per_s", "blas_threads")}
    epoch.update(threads=threads, **watch.info)
    return epoch, memory


def measure_epochs(args, root):
    """The full-epoch children, at each thread count; (epochs, memory)."""
    epochs, memory = [], {"peak": None, "note": "not measured"}
    if args.no_epoch:
        return [{"epoch_seconds": None, "note": "skipped"}], {"peak": None, "note": "skipped"}
    for threads in args.threads:
        print(f"Full Fashion-MNIST epoch in a fresh subprocess, {threads} thread(s) ...", flush=True)
        try:
            epoch, child_memory = epoch_and_memory(root, threads)
        except Exception as error:  # noqa: BLE001 - the table says "not measured" and why
            note = f"failed: {type(error).__name__}: {error}"
            epochs.append({"threads": threads, "epoch_seconds": None, "note": note})
            if memory.get("peak") is None:
                memory["note"] = note
            continue
        if memory.get("peak") is None:          # the memory figure: the first thread count
            memory = dict(child_memory, threads=threads)
        epochs.append(epoch)
        print(f"  {epoch['epoch_seconds']:.2f} s, peak RSS {child_memory['peak'] / MB:.1f} MB"
              + ("  [DISTURBED]" if epoch.get("disturbed") else ""))
    return epochs, memory


def measure_lecture_runs(args, root):
    if args.no_lecture:
        return [{"seconds": None, "note": "skipped"}]
    runs = []
    for threads in args.threads:
        print(f"Lecture baseline run, {threads} thread(s) ...", flush=True)
        try:
            run = lecture_run(root, threads)
        except Exception as error:  # noqa: BLE001 - the table says "not measured" and why
            run = {"threads": threads, "seconds": None, "note": f"failed: {type(error).__name__}: {error}"}
        runs.append(run)
        print(f"  {format_seconds(run.get('seconds'))}" + ("  [DISTURBED]" if run.get("disturbed") else ""))
    return runs
