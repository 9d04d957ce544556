"""Ctrl-C in the lab: the main process alone handles it, never in the
middle of storing a result.

Python turns Ctrl-C (SIGINT) into KeyboardInterrupt between any two
bytecodes of the main thread. Two places must not be cut in two:

* storing a finished run: the file written and the run counted together,
  so that the message after Ctrl-C says exactly what is on disk
  (:func:`deferred`);
* starting worker processes: a worker that starts while Ctrl-C is pressed
  would print its own KeyboardInterrupt traceback; started inside
  :func:`ignored_by_workers`, a worker ignores Ctrl-C from its first
  instruction on (an ignored signal stays ignored across exec), and the
  main process stops it.
"""
import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred():
    """Ctrl-C inside the block takes effect (KeyboardInterrupt) at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield                                   # signals reach the main thread only
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


@contextlib.contextmanager
def ignored_by_workers():
    """Processes started inside the block ignore Ctrl-C. (A Ctrl-C during
    these few milliseconds is ignored here too: press it again.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
