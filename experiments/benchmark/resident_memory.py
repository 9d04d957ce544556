"""This process's resident memory, from Linux's /proc/self/status: the
current size (VmRSS), its peak (VmHWM), and resetting that peak. Shared by
the benchmark's fresh child processes (memory_child.py, step_worker.py's
``--memory``); every figure is None where /proc is missing."""
import resource
import sys


def status(field):
    """A VmRSS / VmHWM value from /proc/self/status, in bytes (None if absent)."""
    try:
        with open("/proc/self/status") as lines:
            for line in lines:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def ru_maxrss():
    """getrusage's peak resident size, in bytes."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024   # bytes on macOS, KiB on Linux


def reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False
