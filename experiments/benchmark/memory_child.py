"""Peak resident memory of one training epoch on the full 60,000-image set.

Run by ``python -m experiments.benchmark`` as a *script* in a fresh
subprocess (``python experiments/benchmark/memory_child.py ...``), so the figure holds
only what tinynet itself needs: no torch, matplotlib, or experiments package
imported. Prints one JSON line (the last line of stdout) with:

* ``rss_after_imports``: RSS once numpy and tinynet are imported (baseline);
* ``rss_after_load`` / ``peak_after_load``: after ``load_dataset``;
* ``rss_after_loader``: once the model and the ``DataLoader`` exist;
* ``peak_before_epoch``: the peak (VmHWM) of imports + loading;
* ``peak_epoch``: the peak during the epoch alone (Linux: the kernel's peak
  counter VmHWM is reset through /proc/self/clear_refs just before it; else
  ``null``);
* ``peak``: the whole child's peak, max of the two (Linux VmHWM; else
  ``ru_maxrss``);
* ``ru_maxrss``: getrusage's figure. Beware: Linux carries the *parent's*
  resident size at fork into the child's ru_maxrss (the pre-exec memory map
  is a copy of the parent's), so it is only the child's own peak when the
  parent was smaller; ``python -m experiments.benchmark`` therefore starts
  this child before importing torch, and reports ``peak`` as well;
* the epoch's wall time and sample rate.

All sizes in bytes.
"""
import argparse
import json
import resource
import sys
import time
from pathlib import Path

# The checkout's root, for tinynet (run as a script, this folder is on sys.path instead).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _status(field):
    """A VmRSS / VmHWM value from /proc/self/status, in bytes (None if absent)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _ru_maxrss():
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024   # bytes on macOS, KiB on Linux


def _reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion-mnist")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads (default: library default)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import tinynet as tn
    from tinynet import nn, optim
    from tinynet.data import DataLoader, load_dataset
    limiter = None
    if args.threads:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=args.threads, user_api="blas")
    rss_after_imports = _status("VmRSS")

    start = time.perf_counter()
    images, labels = load_dataset(args.dataset, root=args.data_dir, train=True)
    load_seconds = time.perf_counter() - start
    rss_after_load, peak_after_load = _status("VmRSS"), _ru_maxrss()
    peak_before_epoch = _status("VmHWM")

    tn.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                          nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                          nn.Linear(100, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(images, labels, batch_size=args.batch_size, shuffle=True, drop_last=False,
                        flatten=True)
    rss_after_loader = _status("VmRSS")

    reset = _reset_peak()
    start = time.perf_counter()
    steps = seen = 0
    total_loss = 0.0
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        total_loss += loss
        steps += 1
        seen += len(y)
    epoch_seconds = time.perf_counter() - start
    peak_epoch = _status("VmHWM") if reset else None
    ru_maxrss = _ru_maxrss()
    if peak_before_epoch is None:
        peak = ru_maxrss
    elif reset:
        peak = max(peak_before_epoch, peak_epoch)
    else:
        peak = _status("VmHWM")

    from threadpoolctl import threadpool_info
    blas_threads = [library.get("num_threads") for library in threadpool_info()
                    if library.get("user_api") == "blas"]
    if limiter is not None:
        limiter.restore_original_limits()
    print(json.dumps({
        "dataset": args.dataset, "n_images": int(len(labels)), "image_shape": list(images.shape[1:]),
        "images_dtype": str(images.dtype), "images_nbytes": int(images.nbytes),
        "batch_size": args.batch_size, "steps": steps, "samples": seen,
        "mean_loss": total_loss / max(steps, 1), "load_seconds": load_seconds,
        "epoch_seconds": epoch_seconds, "samples_per_s": seen / epoch_seconds,
        "steps_per_s": steps / epoch_seconds, "blas_threads": blas_threads,
        "rss_after_imports": rss_after_imports, "rss_after_load": rss_after_load,
        "rss_after_loader": rss_after_loader,
        "peak_after_load": peak_after_load, "peak_before_epoch": peak_before_epoch,
        "peak_epoch": peak_epoch, "peak_reset_worked": reset, "peak": peak, "ru_maxrss": ru_maxrss,
        "modules_loaded": sorted(m for m in ("torch", "matplotlib", "experiments") if m in sys.modules),
    }))


if __name__ == "__main__":
    main()
