"""tinynet.files: the one atomic writer (tn.save, the lab) and regular-file-only reading."""
import ctypes
import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from experiments import storage
from tinynet.files import NotARegularFileError, atomic_write, open_regular_file

ROOT = Path(__file__).resolve().parents[2]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def listing(folder):
    return sorted(os.listdir(folder))


@pytest.fixture
def umask():
    """umask(value) sets the process umask for this test; the old one comes back after."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


# ------------------------------------------------------------ permissions

@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_of_a_plain_write(tmp_path, umask, mask):
    umask(mask)
    with open(tmp_path / "plain", "wb") as file:
        file.write(b"x")
    np.savez(tmp_path / "numpy.npz", a=np.zeros(2))
    atomic_write(tmp_path / "ours", b"x")
    assert mode(tmp_path / "ours") == mode(tmp_path / "plain") == mode(tmp_path / "numpy.npz")
    assert mode(tmp_path / "ours") == 0o666 & ~mask


@pytest.mark.parametrize("kept", [0o640, 0o600, 0o755, 0o664])
def test_replacing_a_file_keeps_its_mode(tmp_path, umask, kept):
    umask(0o022)
    path = tmp_path / "f"
    path.write_bytes(b"old")
    os.chmod(path, kept)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and mode(path) == kept


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_replacing_a_file_keeps_its_owner(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    os.chown(path, 65534, 65534)
    atomic_write(path, b"new")
    info = os.stat(path)
    assert (info.st_uid, info.st_gid) == (65534, 65534) and path.read_bytes() == b"new"


@pytest.mark.parametrize("protected", [0o444, 0o400, 0o555])
def test_a_write_protected_file_is_refused_and_kept(tmp_path, protected):
    path = tmp_path / "keep.npz"
    path.write_bytes(b"precious")
    os.chmod(path, protected)
    with pytest.raises(PermissionError) as info:
        atomic_write(path, b"new")
    message = str(info.value)
    assert str(path) in message and "write-protected" in message and "chmod u+w" in message
    assert path.read_bytes() == b"precious" and mode(path) == protected
    assert listing(tmp_path) == ["keep.npz"]


# ------------------------------------------------------------- links

def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "data.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.bin"
    link.symlink_to(os.path.join("real", "data.bin"))          # a relative link
    assert atomic_write(link, b"new") == str(link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "data.bin")
    assert target.read_bytes() == b"new" and mode(target) == 0o640
    assert listing(tmp_path / "real") == ["data.bin"] and listing(tmp_path) == ["link.bin", "real"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "made")
    atomic_write(link, b"abc")
    assert link.is_symlink() and (tmp_path / "made").read_bytes() == b"abc"


def test_a_symlink_loop_is_an_error_naming_the_path(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError) as info:
        atomic_write(tmp_path / "a", b"x")
    assert str(tmp_path / "a") in str(info.value)
    assert listing(tmp_path) == ["a", "b"]


# -------------------------------------------------- what can be a target

def test_a_folder_fifo_or_device_is_never_replaced(tmp_path):
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")
    for target, kind in [(tmp_path / "folder", "a folder"), (tmp_path / "pipe", "named pipe"),
                         (Path("/dev/null"), "character device")]:
        with pytest.raises(NotARegularFileError, match=kind) as info:
            atomic_write(target, b"x")
        assert str(target) in str(info.value)
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert listing(tmp_path) == ["folder", "pipe"]


@pytest.mark.parametrize("kind", [str, os.fsencode, Path])
def test_paths_as_str_bytes_or_pathlike(tmp_path, kind):
    written = atomic_write(kind(str(tmp_path / "f.bin")), b"\x00\x01")
    assert written == str(tmp_path / "f.bin") and (tmp_path / "f.bin").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("bad", [None, 3, ["a"]])
def test_a_path_of_another_type_is_a_type_error(bad):
    with pytest.raises(TypeError):
        atomic_write(bad, b"x")


def test_a_missing_folder_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(tmp_path / "nope" / "f", b"x")
    assert f"the folder {tmp_path / 'nope'} does not exist" in str(info.value)


# ------------------------------------------------------------- file objects

def test_a_binary_file_object_receives_the_bytes(tmp_path):
    memory = io.BytesIO()
    assert atomic_write(memory, b"abc") is memory and memory.getvalue() == b"abc"
    with open(tmp_path / "f", "wb") as file:
        file.write(b"<")
        atomic_write(file, bytearray(b"abc"))                   # at the current position
    assert (tmp_path / "f").read_bytes() == b"<abc"


def test_an_unbuffered_file_object_gets_every_byte(tmp_path):
    data = np.arange(300_000, dtype=np.int64).tobytes()           # 2.4 MB
    with open(tmp_path / "f", "wb", buffering=0) as file:
        atomic_write(file, memoryview(data))
    assert (tmp_path / "f").read_bytes() == data


def test_a_text_or_read_only_file_object_is_refused(tmp_path):
    with open(tmp_path / "t.txt", "w") as text:
        with pytest.raises(TypeError, match=r"t\.txt: it is open in text mode.*'wb'"):
            atomic_write(text, b"x")
    (tmp_path / "r").write_bytes(b"keep")
    with open(tmp_path / "r", "rb") as readable:
        with pytest.raises(io.UnsupportedOperation, match="not open for writing"):
            atomic_write(readable, b"x")
    assert (tmp_path / "r").read_bytes() == b"keep"


# --------------------------------------------------------------- failures

def test_a_failure_mid_write_keeps_the_old_file_and_names_the_target(tmp_path, monkeypatch):
    path = tmp_path / "ckpt"
    path.write_bytes(b"old")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError) as info:
        atomic_write(path, b"new")
    message = str(info.value)
    assert str(path) in message and "No space left" in message and ".tmp" not in message
    assert path.read_bytes() == b"old" and listing(tmp_path) == ["ckpt"]


def test_ctrl_c_mid_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt"
    path.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"new")
    assert path.read_bytes() == b"old" and listing(tmp_path) == ["ckpt"]


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    path = tmp_path / "shared.bin"
    payloads = [bytes([i]) * 200_000 for i in range(8)]
    threads = [threading.Thread(target=atomic_write, args=(path, data)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_bytes() in payloads and listing(tmp_path) == ["shared.bin"]


def run_unprivileged(code, folder):
    """Run ``code`` in a new Python process that may not write into ``folder``.

    The folder's write bits are removed. Root ignores them (the capability
    CAP_DAC_OVERRIDE), so as root the child gives that capability up before
    it starts: prctl(PR_CAPBSET_DROP) takes it out of the set an exec may grant.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0

    def drop_override():
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):             # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:      # 24: PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    os.chmod(folder, 0o555)
    try:
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=120,
                              preexec_fn=drop_override if as_root else None)
    finally:
        os.chmod(folder, 0o755)


def test_a_read_only_folder_names_the_target_not_the_temporary_file(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    target = folder / "w.npz"
    code = ("import tinynet as tn\nfrom tinynet import nn\n"
            f"tn.save(nn.Sequential(nn.Linear(4, 3)), {str(target)!r})\n")
    result = run_unprivileged(code, folder)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("PermissionError") and str(target) in last_line, result.stderr
    assert f"cannot create a file in the folder {folder}" in last_line
    assert ".tmp" not in result.stderr
    assert listing(folder) == []


# ------------------------------------------------------- the lab's writer

def test_the_lab_writes_through_the_same_writer(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "new" / "REPORT.md"
    assert storage.atomic_write_text(path, "과적합\n") == path
    assert mode(path) == 0o644 and path.read_text(encoding="utf-8") == "과적합\n"
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match="write-protected"):
        storage.atomic_write_text(path, "replaced")
    assert path.read_text(encoding="utf-8") == "과적합\n"


# ------------------------------------------------------------- reading

def test_open_regular_file_gives_the_file_and_its_size(tmp_path):
    (tmp_path / "f").write_bytes(b"12345")
    file, size = open_regular_file(tmp_path / "f")
    with file:
        assert size == 5 and file.read() == b"12345"


def test_open_regular_file_refuses_folders_and_devices(tmp_path):
    for path, kind in [(tmp_path, "a folder"), ("/dev/zero", "a character device")]:
        with pytest.raises(NotARegularFileError) as info:
            open_regular_file(path)
        assert str(info.value).startswith(f"{path} is {kind}") and info.value.kind.startswith(kind)
    with pytest.raises(FileNotFoundError):
        open_regular_file(tmp_path / "missing")


def test_open_regular_file_refuses_a_fifo_without_waiting_for_a_writer(tmp_path):
    """In a child process: a plain open() of a FIFO with no writer waits forever."""
    os.mkfifo(tmp_path / "pipe")
    code = ("from tinynet.files import open_regular_file\n"
            f"open_regular_file({str(tmp_path / 'pipe')!r})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.stderr.strip().splitlines()[-1] == (
        f"tinynet.files.NotARegularFileError: {tmp_path / 'pipe'} is a named pipe (FIFO), "
        "which waits for a writer, not a regular file")
