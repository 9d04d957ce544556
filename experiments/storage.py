"""Every file the lab writes goes through here: written whole or not at all.

Why: a run interrupted mid-write, or two lab processes writing the same
``--out`` at once, must never leave a half-written (corrupt) file, nor make
one process read a file that another is replacing.

How: the data goes to a temporary file with a UNIQUE name in the same folder
(created exclusively: two writers never share a temporary file; the
writer is ``tinynet.files.atomic_write``), is flushed
to disk (``fsync``), and then ``os.replace`` swaps it in under the real name.
On POSIX and Windows that rename is atomic: a reader sees the old file or
the new one, never a mixture, and with concurrent writers the last complete
write wins. If anything fails, the temporary file is removed.

    atomic_write_bytes(path, data)   # figures (PNG bytes)
    atomic_write_text(path, text)    # REPORT.md, REPORT.ko.md
    write_json(path, obj)            # seed records, summaries
    read_json(path)                  # -> object, or None (+ one warning line)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from tinynet.files import atomic_write


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (parent folders are created).

    The writing itself is tinynet's one atomic writer (``tinynet.files``),
    shared with ``tn.save``: it also keeps a plain write's permissions,
    writes through a symbolic link and refuses a write-protected file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return path


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8: the Korean report too) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path, obj) -> Path:
    """Write ``obj`` as JSON atomically.

    ``allow_nan=False``: NaN or Infinity is not JSON (other tools refuse the
    file), so a non-finite number raises ValueError here instead of being
    written. Keys keep their insertion order, which the lab keeps stable.
    """
    try:
        text = json.dumps(obj, indent=1, allow_nan=False, ensure_ascii=False)
    except ValueError as error:
        raise ValueError(f"{path}: refusing to write a non-finite number (NaN or "
                         f"infinity) to JSON: {error}") from None
    return atomic_write_text(path, text + "\n")


def read_json(path):
    """The JSON object stored in ``path``; None when the file is missing.

    A file that exists but cannot be used -- unreadable, truncated or
    otherwise not valid JSON -- also gives None, after ONE warning line on
    stderr naming the file and the problem (the caller then recomputes or
    rebuilds it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        warn(f"warning: cannot read {path} ({type(error).__name__}: {error}); ignoring it")
        return None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        what = "empty" if not text.strip() else "corrupt or truncated JSON"
        warn(f"warning: {path} is {what} ({error}); ignoring it")
        return None


def _refuse_constant(name):
    # json.loads accepts NaN/Infinity by default; the lab never writes them,
    # so a file holding one was written by old code and is not trusted.
    raise ValueError(f"non-finite number {name} (not valid JSON)")


def warn(line: str) -> None:
    """One line on stderr."""
    print(line, file=sys.stderr, flush=True)
