"""Files that declare one thing and hold another, and a process that cannot eat the machine.

Shared by the tests of every reader (checkpoints, IDX data): a reader must
refuse these, reading no more than what it was told to expect.
"""
import os
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ``ulimit -v 2000000``: 2,000,000 KiB of address space.
MEMORY_LIMIT = 2_000_000 * 1024


def deflate_zeros(prefix, n_mib):
    """A raw deflate stream of ``prefix`` then ``n_mib`` MiB of zero bytes, and its CRC-32.

    A full flush ends each block on a byte boundary with an empty history,
    so the compressed form of one MiB of zeros can be repeated: 1 GiB of
    zeros takes about 1 MB.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    zeros = bytes(1 << 20)
    for _ in range(n_mib):
        crc = zlib.crc32(zeros, crc)
    return start + block * n_mib + end, crc


def gzip_of_zeros(prefix, n_mib):
    """A valid .gz file of ``prefix`` then ``n_mib`` MiB of zeros (about 1 KB per MiB)."""
    data, crc = deflate_zeros(prefix, n_mib)
    size = (len(prefix) + (n_mib << 20)) % 2**32
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"       # deflate, no name, no time
    return header + data + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


def run_limited(code, timeout=120):
    """Run ``code`` in a Python process limited to ``MEMORY_LIMIT`` bytes of address space.

    A reader that reads until the end of /dev/zero then fails with
    MemoryError instead of filling the machine's memory; ``timeout`` only
    stops a reader that hangs (a FIFO without a writer).
    """
    limited = ("import resource\n"
               f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
               + code)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", limited], env=env, capture_output=True,
                          text=True, timeout=timeout)


def last_error_line(result):
    """The last line of a failed child's stderr: ``ExceptionType: message``."""
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else f"(no error; exit status {result.returncode})"
