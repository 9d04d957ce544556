"""Save and load a model's state as a NumPy ``.npz`` archive (never pickle).

``save`` refuses a model holding NaN or inf, then writes through
``tinynet.files.atomic_write``: the file is replaced whole or not at all,
with the permissions a plain write would give, and a failure leaves the
previous checkpoint intact.

``load`` reads no more than the model can hold. An ``.npz`` is a zip archive
of ``.npy`` members; each member starts with a short header declaring its
shape and dtype. ``load`` reads the archive's table of contents and every
header first (a few hundred bytes each) and checks keys, shapes and dtypes
against the model *before* decompressing any data, then decompresses each
member only up to the size its header declares. A 1 MB file that would
inflate to 1 GiB, a header declaring 2**60 values, ``/dev/zero`` or a
truncated file are refused with a message naming the file (and the key),
never read in full.

``load`` accepts the path ``save`` was given (NumPy adds ``.npz`` to a name
without it) and says what a file is when it is not a tinynet checkpoint.
"""
import codecs
import io
import math
import os
import zipfile
import zlib

import numpy as np

from .files import NotARegularFileError, atomic_write, open_regular_file
from .nn.state_dict import check_layout

NPZ_SUFFIX = ".npz"
_ZIP_MAGIC = b"PK\x03\x04"
# Most bytes a .npy header may take (NumPy's own limit for np.load).
_MAX_HEADER_SIZE = 10000
_HOW_TO_SAVE = "tn.load reads the .npz files that tn.save(model, path) writes"


def _npz_path(path):
    """The file ``np.savez(path)`` writes: ``path`` with ``.npz`` added unless it ends with it."""
    path = os.fsdecode(os.fspath(path))
    return path if path.endswith(NPZ_SUFFIX) else path + NPZ_SUFFIX


def save(model, path):
    """Write ``model.state_dict()`` to ``path`` (``.npz`` is added if missing), atomically.

    ``path`` is a str, bytes or os.PathLike, or a writable binary file object
    (which simply receives the bytes). Returns the path written (a str), or
    the file object.
    """
    target = path if hasattr(path, "write") else _npz_path(path)
    state = model.state_dict()
    bad = {name: int(np.count_nonzero(~np.isfinite(value)))
           for name, value in state.items() if value.dtype.kind == "f"}
    bad = {name: count for name, count in bad.items() if count}
    if bad:
        counts = ", ".join(f"{name}: {count} non-finite value(s)" for name, count in bad.items())
        raise ValueError(f"refusing to save {type(model).__name__} to {_shown(target)}: {counts} "
                         "(NaN or inf: training diverged). Nothing was written; lower the "
                         "learning rate, or save a model from before the divergence")
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    return atomic_write(target, buffer.getbuffer())


def load(model, path):
    """Load a checkpoint written by ``save`` into ``model`` (in place); returns the model.

    ``path`` is a str, bytes or os.PathLike, or a readable, seekable binary
    file object.
    """
    if hasattr(path, "read"):
        if not (hasattr(path, "seekable") and path.seekable()):
            raise TypeError(f"cannot load from {_shown(path)}: a checkpoint is a zip archive, "
                            "read from its end, so the file must be seekable (pass a path, "
                            "open(path, 'rb') or io.BytesIO(data))")
        return _load_from(model, path, _shown(path))
    path = os.fsdecode(os.fspath(path))
    if os.path.exists(path) and not os.path.isdir(path):
        found = path
    elif os.path.exists(_npz_path(path)):
        found = _npz_path(path)
    elif os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a folder, not a saved model (and there is no "
                                f"{_npz_path(path)})")
    else:
        raise FileNotFoundError(f"no saved model at {path}" + (
            "" if path.endswith(NPZ_SUFFIX) else f" (nor at {_npz_path(path)})"))
    try:
        file, _ = open_regular_file(found)
    except NotARegularFileError as error:
        raise ValueError(f"{found} is not a tinynet checkpoint: it is {error.kind}, not a regular "
                         f"file. {_HOW_TO_SAVE}") from None
    with file:
        return _load_from(model, file, found)


def _load_from(model, file, found):
    state = _read_checkpoint(file, found, model)
    try:
        model.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"{found}: {error}") from None
    return model


def _read_checkpoint(file, found, model):
    """{key: array} from the .npz in ``file``, checked against ``model`` before any data is read."""
    start = file.tell()
    head = file.read(512)
    file.seek(start)
    # A file cut off inside the zip's first four bytes is a truncated zip too.
    if not (head.startswith(_ZIP_MAGIC) or (head and _ZIP_MAGIC.startswith(head))):
        raise ValueError(f"{found} is not a tinynet checkpoint: {_what_is(head)}. {_HOW_TO_SAVE}")
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # The table of contents sits at the very end of a zip: a file cut off
        # anywhere after its first bytes has lost it.
        raise ValueError(f"{found} is truncated: it starts like a zip archive (.npz) but its end, "
                         "which lists the arrays inside, is missing or damaged (an interrupted "
                         "save or copy?). Save the model again") from None
    with archive:
        members = _npy_members(archive, found)
        targets = model.state_dict()
        headers = {key: _read_header(archive, info, found, key)
                   for key, info in members.items() if key in targets}
        try:
            check_layout(type(model).__name__, targets, list(members),
                         {key: (shape, dtype) for key, (shape, _, dtype, _) in headers.items()})
        except ValueError as error:
            raise ValueError(f"{found}: {error}") from None
        return {key: _read_values(archive, members[key], found, key, *headers[key])
                for key in headers}


def _npy_members(archive, found):
    """{key: ZipInfo} of an archive whose every member is a ``key.npy`` array."""
    names = archive.namelist()
    if not names or not all(name.endswith(".npy") for name in names):
        raise ValueError(f"{found} is not a tinynet checkpoint: {_what_is_zip(names)}. "
                         f"{_HOW_TO_SAVE}")
    members = {}
    for info in archive.infolist():
        key = info.filename[:-len(".npy")]
        if key in members:
            raise ValueError(f"{found}: the archive holds {key} twice, so which one is meant is "
                             "unclear (it was not written by tn.save)")
        members[key] = info
    return members


def _read_header(archive, info, found, key):
    """(shape, fortran_order, dtype, header size) from a member's .npy header (bounded reads)."""
    try:
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f".npy format version {version[0]}.{version[1]} is not supported")
            reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, fortran_order, dtype = reader(member, max_header_size=_MAX_HEADER_SIZE)
            header_size = member.tell()
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError) as error:
        raise ValueError(f"{found}: {key}: damaged array header ({error})") from None
    if dtype.hasobject:
        raise ValueError(f"{found}: {key} holds Python objects (dtype {dtype}), which only "
                         "pickle can read; tinynet never unpickles")
    return shape, fortran_order, dtype, header_size


def _read_values(archive, info, found, key, shape, fortran_order, dtype, header_size):
    """The member's array, decompressing no more than its header declares (+ 1 byte)."""
    data_size = math.prod(shape) * dtype.itemsize      # Python ints: no overflow
    if info.file_size != header_size + data_size:
        raise ValueError(f"{found}: {key}: its header declares shape {shape} of {dtype} "
                         f"({data_size} bytes of data) but the archive lists "
                         f"{info.file_size - header_size} (a damaged file)")
    try:
        with archive.open(info) as member:
            member.seek(header_size)
            # One byte more than declared: reaching the end checks the CRC and
            # shows any data beyond what the header declared.
            data = member.read(data_size + 1)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error,
            NotImplementedError, RuntimeError) as error:
        raise ValueError(f"{found}: {key}: damaged data ({error})") from None
    if len(data) < data_size:
        raise ValueError(f"{found}: {key}: its data ends after {len(data)} of the {data_size} "
                         "bytes its header declares (a truncated or damaged file)")
    if len(data) > data_size:
        raise ValueError(f"{found}: {key}: more data than the {data_size} bytes its header "
                         "declares (a damaged file)")
    values = np.frombuffer(data, dtype=dtype)
    return values.reshape(shape, order="F" if fortran_order else "C")


def _shown(target):
    """How a path or a file object is named in messages."""
    if hasattr(target, "write") or hasattr(target, "read"):
        return getattr(target, "name", None) or f"the {type(target).__name__} object"
    return target


def _what_is(head):
    """A short description of a file that is not a zip archive, from its first bytes."""
    if head.startswith(b"\x93NUMPY"):
        return ("it is a single NumPy array (.npy), not a model's state; load it with np.load and "
                "assign it to the parameter it belongs to (model.fc1.weight.data[...] = array)")
    if head[:1] == b"\x80":
        return ("it looks like a pickle (an old PyTorch .pt/.pth file?); tinynet never unpickles. "
                "Load it with torch (sd = torch.load(path)) and pass "
                "{k: v.numpy() for k, v in sd.items()} to model.load_state_dict")
    if not head:
        return "the file is empty (an interrupted save?)"
    try:
        # Incremental: a character cut off at the end of ``head`` is no error.
        text = codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return "its format is unknown"
    if all(char.isprintable() or char in "\t\r\n" for char in text):
        return "it is a text file"
    return "its format is unknown"


def _what_is_zip(names):
    """A short description of a zip archive that does not hold only .npy arrays."""
    if any(name.endswith("data.pkl") for name in names):
        return ("a PyTorch checkpoint (torch.save); tinynet never unpickles. Load it with torch "
                "(sd = torch.load(path)) and pass {k: v.numpy() for k, v in sd.items()} "
                "to model.load_state_dict")
    if not names:
        return "an empty zip archive"
    return f"a zip archive of other files ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})"
