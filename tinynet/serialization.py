"""Save and load a model's state as a NumPy ``.npz`` archive (never pickle).

``save`` is atomic: it writes a temporary file in the same folder, flushes
it to disk, then renames it over the target, so a failure (a full disk, an
interrupted run) leaves the previous checkpoint intact. ``load`` accepts the
path ``save`` was given (NumPy adds ``.npz`` to a name without it) and says
what a file is when it is not a tinynet checkpoint.
"""
import io
import os
import tempfile
import zipfile

import numpy as np

NPZ_SUFFIX = ".npz"


def _npz_path(path):
    """The file ``np.savez(path)`` writes: ``path`` with ``.npz`` added unless it ends with it."""
    path = os.fspath(path)
    return path if path.endswith(NPZ_SUFFIX) else path + NPZ_SUFFIX


def save(model, path):
    """Write ``model.state_dict()`` to ``path`` (``.npz`` is added if missing), atomically."""
    target = _npz_path(path)
    buffer = io.BytesIO()
    np.savez(buffer, **model.state_dict())
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save to {target}: the folder {folder} does not exist "
                                "(create it first: os.makedirs(folder, exist_ok=True))")
    fd, temporary = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(buffer.getbuffer())
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise
    return target


def load(model, path):
    """Load a checkpoint written by ``save`` into ``model`` (in place); returns the model."""
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        found = path
    elif os.path.exists(_npz_path(path)):
        found = _npz_path(path)
    else:
        raise FileNotFoundError(f"no saved model at {path}" + (
            "" if path.endswith(NPZ_SUFFIX) else f" (nor at {_npz_path(path)})"))
    state = _read_npz(found)
    try:
        model.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"{found}: {error}") from None
    return model


def _read_npz(path):
    with open(path, "rb") as file:
        head = file.read(8)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a tinynet checkpoint: {_what_is(path, head)}. "
                         "tn.load reads the .npz files that tn.save(model, path) writes")
    try:
        with zipfile.ZipFile(path) as archive:
            if not all(name.endswith(".npy") for name in archive.namelist()):
                raise ValueError("not an npz archive")
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, KeyError):
        raise ValueError(f"{path} is not a tinynet checkpoint: {_what_is_zip(path)}. "
                         "tn.load reads the .npz files that tn.save(model, path) writes") from None


def _what_is(path, head):
    """A short description of a file that is not a zip archive."""
    if head.startswith(b"\x93NUMPY"):
        return ("it is a single NumPy array (.npy), not a model's state; load it with np.load and "
                "assign it to the parameter it belongs to (model.fc1.weight.data[...] = array)")
    if head[:2] == b"\x80\x02" or head[:1] == b"\x80":
        return ("it looks like a pickle (an old PyTorch .pt/.pth file?); tinynet never unpickles. "
                "Load it with torch (sd = torch.load(path)) and pass "
                "{k: v.numpy() for k, v in sd.items()} to model.load_state_dict")
    if not head:
        return "the file is empty (an interrupted save?)"
    try:
        head.decode("ascii")
        return "it is a text file"
    except UnicodeDecodeError:
        return "its format is unknown"


def _what_is_zip(path):
    """A short description of a zip archive that np.load could not read as .npz."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return "a damaged zip archive"
    if any(name.endswith("data.pkl") for name in names):
        return ("a PyTorch checkpoint (torch.save); tinynet never unpickles. Load it with torch "
                "(sd = torch.load(path)) and pass {k: v.numpy() for k, v in sd.items()} "
                "to model.load_state_dict")
    if names and not all(name.endswith(".npy") for name in names):
        return f"a zip archive of other files ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})"
    return "an .npz archive that holds something other than plain arrays"
