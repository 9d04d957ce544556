"""Loading MNIST and Fashion-MNIST from the standard IDX files.

Both data sets come as four files with the same names:

    train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz

Where the files are looked for, in this order (the first folder holding
both the images and the labels of the split wins):

    the ``root`` argument, if given -- and nowhere else; otherwise
    $TINYNET_DATA, if set, then the cache folder ($XDG_CACHE_HOME/tinynet,
    or ~/.cache/tinynet when XDG_CACHE_HOME is unset)

and in each of those roots, for data set ``name``:

    root/<name>/            e.g. root/mnist/ or root/fashion-mnist/
    root/                   the files directly in the root
    root/<TV>/raw/          torchvision's own layout: root/MNIST/raw/,
                            root/FashionMNIST/raw/

In each folder both the ``.gz`` file and the un-gzipped file are fine.

Missing files are downloaded into ``root/<name>/`` (the cache folder when
no root is given, so the lab and ``load_mnist()`` find each other's files)
by the rule in ``tinynet.data.fetch``: by default when pooch is installed,
never with TINYNET_NO_DOWNLOAD=1. ``python -m tinynet.data download mnist``
downloads both splits.
"""
import os
import shlex
from pathlib import Path

import numpy as np

from .fetch import NO_DOWNLOAD, download_files, why_not_download
from .idx import read_idx

# name -> the folder torchvision downloads it into (root/<folder>/raw/),
# which is also the name of its torchvision.datasets class.
_TORCHVISION_NAMES = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}

_NUM_CLASSES = 10


def load_mnist(root=None, train=True, download=None):
    """The MNIST handwritten digits. See ``load_dataset``."""
    return load_dataset("mnist", root=root, train=train, download=download)


def load_fashion_mnist(root=None, train=True, download=None):
    """Fashion-MNIST (Zalando's clothing images). See ``load_dataset``."""
    return load_dataset("fashion-mnist", root=root, train=train, download=download)


def load_dataset(name, root=None, train=True, download=None):
    """Load the training or test split of MNIST or Fashion-MNIST.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    root : str or os.PathLike, optional
        Look only in this folder (see the module docstring for the layouts)
        and download into it. Default: $TINYNET_DATA, then the cache folder.
    train : bool
        True for the training split, False for the 10,000 test images.
    download : None, True or False
        What to do when the files are missing: None (default) downloads
        them if pooch is installed, True downloads them, False never does.
        TINYNET_NO_DOWNLOAD=1 forbids every download.

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
    roots = data_roots(root)
    refusal = why_not_download(download)
    found = _find_files(name, roots, train)
    if found is None and refusal is None:
        destination = _download_root(root)
        download_files(name, destination / name, [stem + ".gz" for stem in _file_stems(train)],
                       _searched_list(name, roots))
        found = _find_files(name, [destination], train)
    if found is None:
        raise FileNotFoundError(_missing_message(name, root, roots, train, refusal))

    image_path, label_path = found
    images = read_idx(image_path)
    labels = read_idx(label_path)
    _check(images, labels, image_path, label_path)
    return images, labels.astype(np.int64)


def data_roots(root=None):
    """The roots searched, in order: ``[root]`` if given, else $TINYNET_DATA (if set) and the cache."""
    if root is not None:
        return [Path(root).expanduser()]
    roots = [Path(os.environ["TINYNET_DATA"]).expanduser()] if os.environ.get("TINYNET_DATA") \
        else []
    return roots + [cache_root()]


def cache_root():
    """Where downloads go when no root is given: $XDG_CACHE_HOME/tinynet, else ~/.cache/tinynet."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "tinynet"


def _download_root(root):
    return Path(root).expanduser() if root is not None else cache_root()


def _file_stems(train):
    """The image and label file names of a split, without the '.gz'."""
    split = "train" if train else "t10k"
    return f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"


def _candidate_folders(name, roots):
    """The folders searched, in order of preference."""
    return [folder for root in roots
            for folder in (root / name, root, root / _TORCHVISION_NAMES[name] / "raw")]


def _find_files(name, roots, train):
    """(image path, label path) from the first folder holding both, else None.

    Both files must come from the same folder, so that images of one copy of
    the data set are never paired with labels of another.
    """
    image_stem, label_stem = _file_stems(train)
    for folder in _candidate_folders(name, roots):
        image_path = _first_file(folder, image_stem)
        label_path = _first_file(folder, label_stem)
        if image_path is not None and label_path is not None:
            return image_path, label_path
    return None


def _first_file(folder, stem):
    return next((p for p in (folder / (stem + ".gz"), folder / stem) if p.is_file()), None)


def _searched_list(name, roots):
    """The folders searched, one per line, for error messages."""
    return "\n".join(f"  {folder}" for folder in _candidate_folders(name, roots))


def _missing_message(name, root, roots, train, refusal):
    split = "training" if train else "test"
    image_stem, label_stem = _file_stems(train)
    where = ("the root argument" if root is not None else
             "$TINYNET_DATA, then the cache folder" if len(roots) == 2 else
             "the cache folder ($TINYNET_DATA is not set)")
    command = f"python -m tinynet.data download {name}"
    if root is not None:
        command += f" --root {shlex.quote(str(roots[0]))}"
    enable = f"unset {NO_DOWNLOAD}, then run" if refusal.startswith("downloads are") else "run"
    return (
        f"{name} {split} files not found. Looked for {image_stem}(.gz) and {label_stem}(.gz), "
        f"both in one folder, in {where}, in this order:\n{_searched_list(name, roots)}\n"
        f"They were not downloaded: {refusal}.\n"
        f"To download them into {_download_root(root) / name}: {enable} `{command}` (it needs "
        "pooch and the internet). Or put the four standard IDX files (.gz or un-gzipped) into one "
        "of the folders above, or point TINYNET_DATA at a folder that holds them."
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
