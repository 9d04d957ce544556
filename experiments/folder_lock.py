"""One lab per results folder.

A lab run (and ``--report-only``) holds an operating-system lock on a file
inside its ``--out`` folder, ``.lab.lock``, from its first read of stored
seeds to its last written report. A second lab on the same folder is
refused at once: otherwise both would train, and the second would silently
replace the first's seeds, summaries and report. The operating system
releases the lock when the holder's process ends, however it ends (even
killed), so a stale lock is impossible; the file itself stays, holding the
last holder's process id and command line for the message.

    with FolderLock(out, command):     # raises FolderBusy when held elsewhere
        ...
"""
import os
from pathlib import Path

try:
    import fcntl
except ImportError:                     # Windows
    fcntl = None
    import msvcrt

LOCK_NAME = ".lab.lock"


class FolderBusy(Exception):
    """Another process holds the folder's lock; the message names the folder
    and, when it can be read, that process."""


def _try_lock(fd):
    """Take the lock without waiting; False when another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


class FolderLock:
    """``with FolderLock(folder, command)``: this process's exclusive hold on
    ``folder`` (which must exist) until the block ends."""

    def __init__(self, folder, command):
        self.path = Path(folder) / LOCK_NAME
        self.command = command

    def __enter__(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = os.read(fd, 4096).decode("utf-8", "replace").strip()
            os.close(fd)
            by = f" ({holder})" if holder else ""
            raise FolderBusy(f"{self.path.parent} is in use by another lab run{by}; wait for it "
                             "to finish, or choose another --out")
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}: {self.command}".encode("utf-8"))
        self.fd = fd
        return self

    def __exit__(self, *exc_info):
        os.close(self.fd)               # closing the file releases the lock
