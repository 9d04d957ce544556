"""The lab's data: which images are for training, validation and testing.

The lecture trains on the FIRST ``train_size`` (300) training images and
tests on the official 10,000 test images. Early stopping needs a
validation set the model never trains on: the ``val_size`` images right
after the training images (images 300..1299 by default).

Images stay uint8 (N, 28, 28) here; scaling to [0, 1] happens in the
DataLoader (exactly like torchvision's ``ToTensor``), and the lecture's
flawed evaluation uses the raw 0..255 values on purpose (see train.py).
"""
import functools
from dataclasses import dataclass

import numpy as np

from tinynet.data import load_dataset


class DataError(Exception):
    """The data is missing, unreadable, or too small for the requested run."""


@dataclass(frozen=True)
class LabData:
    """The three splits of one run, as uint8 images and int64 labels."""

    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


@functools.lru_cache(maxsize=4)
def _load_splits(dataset, data_dir):
    """Both official splits, read once per process (every job reuses them).

    The files are found and, when missing, downloaded (checksum-verified)
    by ``tinynet.data.load_dataset`` under its own rule, the one
    ``load_mnist()`` follows, so the lab runs on a fresh machine; without a
    network the error says where to put the files. ``--no-download``
    (environment variable TINYNET_NO_DOWNLOAD=1, which the tests set) turns
    downloads off.
    """
    try:
        train = load_dataset(dataset, root=data_dir, train=True)
        test = load_dataset(dataset, root=data_dir, train=False)
    except (FileNotFoundError, RuntimeError) as error:
        raise DataError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - corrupt gzip/IDX files raise many kinds of error
        raise DataError(f"could not read the {dataset} data ({type(error).__name__}: {error}); "
                        "the files may be corrupt or truncated") from None
    for array in (*train, *test):
        array.setflags(write=False)   # shared by every job in the process: protect it
    return train, test


def available_train_images(dataset, data_dir=None):
    """How many training images the data files hold (4,502 in the shared MNIST copy)."""
    (images, _), _ = _load_splits(dataset, data_dir)
    return len(images)


def load_lab_data(dataset, train_size, val_size=0, data_dir=None):
    """Training, validation and test splits for one run.

    Raises DataError with a message for the user when the files are missing
    or corrupt, or when ``train_size + val_size`` exceeds what they hold.
    """
    (images, labels), (test_images, test_labels) = _load_splits(dataset, data_dir)
    needed = train_size + val_size
    if needed > len(images):
        what = f"{train_size} training + {val_size} validation images" if val_size \
            else f"{train_size} training images"
        raise DataError(f"the run needs {what}, but the {dataset} training file holds only "
                        f"{len(images)}")
    return LabData(
        train_images=images[:train_size], train_labels=labels[:train_size],
        val_images=images[train_size:needed], val_labels=labels[train_size:needed],
        test_images=test_images, test_labels=test_labels,
    )
