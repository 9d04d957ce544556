"""Opening files to read and writing files whole: every file tinynet loads or saves.

Reading. ``open_regular_file`` opens a path only if it is a regular file.
``/dev/zero`` never ends, a named pipe (FIFO) waits for a writer, and a
folder cannot be read: a loader that reads "until the end" would fill the
memory or hang on them, so they are refused before a byte is read, with a
message naming the path and what it is.

Writing. ``atomic_write`` writes the bytes to a temporary file with a unique
name in the target's folder, flushes it to disk (``fsync``), then renames it
over the target (``os.replace``). The rename is atomic: a reader sees the old
file or the new one, never a mixture, and a failure (a full disk, Ctrl-C)
leaves the old file as it was and no temporary file behind. Otherwise it does
what a plain ``open(path, "wb").write(data)`` would:

* a new file gets the permissions of a plain write (0o666 minus the umask);
  a file that is replaced keeps its permissions;
* a symbolic link is written through: its target gets the new bytes and the
  link stays a link;
* a write-protected file (no write permission, e.g. ``chmod 444``) is refused,
  even for root, who could write it but most likely did not mean to;
* a path may be ``str``, ``bytes`` or ``os.PathLike``; a writable binary file
  object (``open(path, "wb")``, ``io.BytesIO()``) simply receives the bytes,
  as with ``np.savez`` and ``torch.save`` (no rename: the caller owns it).

Every error names the target, never the temporary file.

    file, size = open_regular_file(path)     # -> binary file object, size in bytes
    atomic_write(path_or_file, data)         # -> the path as given (or the file object)
"""
import errno
import io
import os
import secrets
import stat

# Kinds of non-regular files, by the test that recognises them.
_KINDS = [(stat.S_ISDIR, "a folder"),
          (stat.S_ISCHR, "a character device (such as /dev/zero or a terminal)"),
          (stat.S_ISBLK, "a block device (a disk)"),
          (stat.S_ISFIFO, "a named pipe (FIFO), which waits for a writer"),
          (stat.S_ISSOCK, "a socket")]

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


class NotARegularFileError(ValueError):
    """A path that names a folder, device, pipe or socket instead of a regular file."""

    def __init__(self, path, kind):
        self.path = os.fsdecode(path)
        self.kind = kind
        super().__init__(f"{self.path} is {kind}, not a regular file")


def open_regular_file(path):
    """Open ``path`` for binary reading if it is a regular file: ``(file, size in bytes)``.

    Raises FileNotFoundError (and the other OSErrors of ``open``) as usual,
    and NotARegularFileError for anything that is not a regular file.
    """
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
    # before we could look at what it is. It changes nothing for a regular file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)          # of what was opened: no window to swap the file
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFileError(path, _kind(info.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def atomic_write(target, data):
    """Write the bytes ``data`` to ``target`` whole or not at all (see the module docstring).

    ``target`` is a path (str, bytes, os.PathLike) or a writable binary file
    object. Returns the path as a str (as given, even when it is a link), or
    the file object. The folder must exist.
    """
    if hasattr(target, "write"):
        return _write_to_file_object(target, data)
    path = os.fsdecode(os.fspath(target))
    real = os.path.realpath(path)    # a link is written through to the file it names
    shown = path if real == os.path.abspath(path) else f"{path} (a link to {real})"
    folder, name = os.path.split(real)
    existing = _existing(real, shown)
    if not os.path.isdir(folder):
        raise _os_error(errno.ENOENT, f"cannot write {shown}: the folder {folder} does not exist "
                                      "(create it first: os.makedirs(folder, exist_ok=True))")
    try:
        fd, temporary = _create_temporary(folder, name)
    except OSError as error:
        raise _os_error(error.errno, f"cannot write {shown}: cannot create a file in the "
                                     f"folder {folder}: {_reason(error)}") from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())          # on disk before the rename makes it visible
        if existing is not None:
            _keep_owner_and_mode(temporary, existing)
        os.replace(temporary, real)
    except BaseException as error:           # also Ctrl-C: leave no temporary file behind
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise _os_error(error.errno, f"cannot write {shown}: {_reason(error)} "
                                         "(any previous file there is unchanged)") from None
        raise
    return path


def _existing(real, shown):
    """os.stat of the file about to be replaced (None if there is none), once it may be."""
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as error:                 # a link loop, a folder we may not look into
        raise _os_error(error.errno, f"cannot write {shown}: {_reason(error)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFileError(shown, _kind(info.st_mode))
    # Root may write anywhere, so the permission bits are read as well: a
    # file nobody may write was protected on purpose.
    if not info.st_mode & _WRITE_BITS or not os.access(real, os.W_OK):
        raise _os_error(errno.EACCES, f"{shown} is write-protected (permissions "
                                      f"{stat.filemode(info.st_mode)}): it is not replaced. "
                                      "Make it writable (chmod u+w) or choose another name")
    return info


def _create_temporary(folder, name):
    """A new, empty file ``.<name>.<random>.tmp`` in ``folder``: (fd, path).

    Created with mode 0o666 so that the process's umask applies, exactly as
    for a plain ``open(path, "w")`` (``tempfile.mkstemp`` would give 0o600).
    O_EXCL: two writers never share a temporary file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name[:200]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name after 100 tries")


def _keep_owner_and_mode(path, info):
    """Give the new file the permissions (and, where allowed, the owner) of the old one."""
    if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.chown(path, info.st_uid, info.st_gid)
        except OSError:
            pass                             # only root may give a file away; keep ours
    # Permission bits only: set-user-ID and set-group-ID are dropped, as a
    # write by anyone but root drops them too.
    os.chmod(path, stat.S_IMODE(info.st_mode) & 0o777)


def _write_to_file_object(file, data):
    """Write ``data`` to an open binary file (no rename: the caller owns the file)."""
    shown = getattr(file, "name", None) or type(file).__name__
    if isinstance(file, io.TextIOBase):
        raise TypeError(f"cannot write to {shown}: it is open in text mode; open it with "
                        "open(path, 'wb') or pass the path itself")
    writable = getattr(file, "writable", None)
    if writable is not None and not writable():
        raise io.UnsupportedOperation(f"cannot write to {shown}: it is not open for writing; "
                                      "open it with open(path, 'wb')")
    view = memoryview(data).cast("B")
    while view:
        written = file.write(view)
        if not isinstance(file, io.RawIOBase):
            break                            # buffered files write everything or raise
        if written is None:
            raise BlockingIOError(errno.EAGAIN, f"cannot write to {shown}: it would block")
        view = view[written:]                # an unbuffered file may take only a part
    return file


def _kind(mode):
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _reason(error):
    return error.strerror or str(error)


def _os_error(number, message):
    """An OSError of the class its errno gives (PermissionError, ...) with our message."""
    return OSError(number, message) if number else OSError(message)
