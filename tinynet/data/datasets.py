"""Loading MNIST and Fashion-MNIST from the standard IDX files.

Both data sets come as four files with the same names:

    train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz

Where the files are looked for (the first folder holding both the images
and the labels wins), for a data root ``root``:

    root/<name>/            e.g. root/mnist/ or root/fashion-mnist/
    root/                   the files directly in the root
    root/<TV>/raw/          torchvision's own layout: root/MNIST/raw/,
                            root/FashionMNIST/raw/

and in each folder both the ``.gz`` file and the un-gzipped file are fine.
The root is the ``root`` argument, else the environment variable
``TINYNET_DATA``, else a per-user cache folder (``$XDG_CACHE_HOME/tinynet``
or ``~/.cache/tinynet``).

``download=True`` fetches a missing split's two ``.gz`` files into
``root/<name>/`` with pooch (``pip install pooch``, part of the ``lab``
extra): each file from the first of two mirrors that answers, checked
against the official SHA-256 sum before it gets its final name, so a failed
or corrupt download never leaves a file behind. Files already on disk are
read as they are (copies recompressed by a Linux distribution have other
checksums but the same data; the IDX reader and ``_check`` catch corruption).
"""
import os
from pathlib import Path

import numpy as np

from .idx import read_idx

# name -> the folder torchvision downloads it into (root/<folder>/raw/),
# which is also the name of its torchvision.datasets class.
_TORCHVISION_NAMES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}

_NUM_CLASSES = 10

# Where download=True fetches from: two mirrors per data set, tried in order
# (the first ones are those torchvision uses).
_MIRRORS = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion-mnist": [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ],
}

# The official SHA-256 sums of the published .gz files.
_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}

# Seconds to wait for a mirror to answer before trying the next one.
_TIMEOUT = 30


def load_mnist(root=None, train=True, download=False):
    """The MNIST handwritten digits. See ``load_dataset``."""
    return load_dataset("mnist", root=root, train=train, download=download)


def load_fashion_mnist(root=None, train=True, download=False):
    """Fashion-MNIST (Zalando's clothing images). See ``load_dataset``."""
    return load_dataset("fashion-mnist", root=root, train=train, download=download)


def load_dataset(name, root=None, train=True, download=False):
    """Load the training or test split of MNIST or Fashion-MNIST.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    root : str or os.PathLike, optional
        Data root; see the module docstring for where files are looked for.
    train : bool
        True for the training split, False for the 10,000 test images.
    download : bool
        If the files are missing, fetch them into ``root/<name>/`` with pooch
        (official SHA-256 sums checked; see the module docstring).

    Returns
    -------
    images : numpy.ndarray, uint8, shape (N, 28, 28)
        Grey levels 0 (background) to 255.
    labels : numpy.ndarray, int64, shape (N,)
        Class indices 0..9.
    """
    if name not in _TORCHVISION_NAMES:
        valid = ", ".join(repr(known) for known in _TORCHVISION_NAMES)
        raise ValueError(f"unknown data set {name!r}; valid names are {valid}")
    root = data_root(root)

    found = _find_files(name, root, train)
    if found is None and download:
        _download(name, root, train)
        found = _find_files(name, root, train)
    if found is None:
        raise FileNotFoundError(_missing_message(name, root, train, download))

    image_path, label_path = found
    images = read_idx(image_path)
    labels = read_idx(label_path)
    _check(images, labels, image_path, label_path)
    return images, labels.astype(np.int64)


def data_root(root=None):
    """The data root: ``root`` if given, else ``$TINYNET_DATA``, else the user cache."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get("TINYNET_DATA"):
        return Path(os.environ["TINYNET_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "tinynet"


def _file_stems(train):
    """The image and label file names of a split, without the '.gz'."""
    split = "train" if train else "t10k"
    return f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"


def _candidate_folders(name, root):
    """The folders searched, in order of preference."""
    return [root / name, root, root / _TORCHVISION_NAMES[name] / "raw"]


def _candidate_paths(name, root, train):
    """Every path looked at, as (folder, [image candidates], [label candidates])."""
    image_stem, label_stem = _file_stems(train)
    result = []
    for folder in _candidate_folders(name, root):
        images = [folder / (image_stem + ".gz"), folder / image_stem]
        labels = [folder / (label_stem + ".gz"), folder / label_stem]
        result.append((folder, images, labels))
    return result


def _find_files(name, root, train):
    """(image path, label path) from the first folder holding both, else None.

    Both files must come from the same folder, so that images of one copy of
    the data set are never paired with labels of another.
    """
    for _folder, image_candidates, label_candidates in _candidate_paths(name, root, train):
        image_path = next((p for p in image_candidates if p.is_file()), None)
        label_path = next((p for p in label_candidates if p.is_file()), None)
        if image_path is not None and label_path is not None:
            return image_path, label_path
    return None


def _searched_list(name, root, train):
    """The paths searched, one per line, for error messages."""
    lines = []
    for _folder, images, labels in _candidate_paths(name, root, train):
        lines.extend(f"  {path}" for path in images + labels)
    return "\n".join(lines)


def _missing_message(name, root, train, download):
    split = "training" if train else "test"
    message = (
        f"{name} {split} files not found. Searched:\n{_searched_list(name, root, train)}\n"
        "Put the four standard IDX files (.gz or un-gzipped) into one of these "
        "folders, or point the TINYNET_DATA environment variable (or the root "
        "argument) at a folder that holds them"
    )
    if not download:
        message += ", or pass download=True to fetch them (needs pooch: `pip install pooch`)"
    return message + "."


def _download(name, root, train):
    """Fetch the split's two .gz files into ``root/<name>/`` with pooch.

    Each file comes from the first mirror that delivers it with the official
    SHA-256 sum. pooch writes into a temporary file in the same folder and
    renames it only once the checksum matched: no partial or corrupt file
    is ever left under the final name.
    """
    try:
        import pooch
    except ImportError as err:
        raise RuntimeError(
            f"download=True needs pooch to fetch {name}, but it is not installed. "
            "Install it with `pip install pooch` (or, in a checkout of tinynet, "
            "`pip install -e \".[lab]\"`), or put the files yourself at one of:\n"
            f"{_searched_list(name, root, train)}"
        ) from err

    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RuntimeError(
            f"cannot create {folder} to download {name} into ({err.strerror or err}). "
            "Pass a writable root, or set TINYNET_DATA to a writable folder."
        ) from err
    if not os.access(folder, os.W_OK):
        raise RuntimeError(
            f"cannot download {name} into {folder}: the folder is not writable. "
            "Pass a writable root, or set TINYNET_DATA to a writable folder."
        )

    downloader = pooch.HTTPDownloader(progressbar=False, timeout=_TIMEOUT)
    for stem in _file_stems(train):
        file_name = stem + ".gz"
        failures = []
        for mirror in _MIRRORS[name]:
            url = mirror + file_name
            try:
                pooch.retrieve(url, known_hash="sha256:" + _SHA256[name][file_name],
                               fname=file_name, path=folder, downloader=downloader)
                break
            except Exception as err:  # noqa: BLE001 - network, HTTP or checksum failure: next mirror
                failures.append(f"  {url}: {type(err).__name__}: {err}")
        else:
            raise RuntimeError(
                f"could not download {name}'s {file_name} into {folder}; every mirror failed:\n"
                + "\n".join(failures)
                + "\nCheck your internet connection, or put the files yourself at one of:\n"
                f"{_searched_list(name, root, train)}"
            )


def _check(images, labels, image_path, label_path):
    """Check shapes, dtypes, matching counts and the label range."""
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"{image_path}: expected uint8 images of shape (N, H, W), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{label_path}: expected a 1-D array of integer labels, "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{image_path} holds {len(images)} images but {label_path} holds "
            f"{len(labels)} labels"
        )
    if len(labels) > 0 and (labels.min() < 0 or labels.max() >= _NUM_CLASSES):
        raise ValueError(
            f"{label_path}: labels must lie in 0..{_NUM_CLASSES - 1}, "
            f"found values from {labels.min()} to {labels.max()}"
        )
