"""Tests for tinynet.data.datasets: finding, downloading and checking MNIST files."""
import gzip
import os
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from tinynet.data import data_root, load_dataset, load_fashion_mnist, load_mnist

FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def shared_root(name):
    """$TINYNET_DATA if it holds the four files of ``name``, else skip."""
    root = os.environ.get("TINYNET_DATA")
    if not root or not all(Path(root, name, f + ".gz").is_file() for f in FILES):
        pytest.skip(f"real data not available: set TINYNET_DATA to a folder holding "
                    f"{name}/ with the four IDX .gz files")
    return Path(root)


def idx_bytes(array):
    """IDX encoding of a uint8 array, written out by hand from the format spec."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_split(folder, train=True, n_images=3, n_labels=None, labels=None, compress=True):
    """Write a tiny synthetic split into ``folder``; return (images, labels)."""
    folder.mkdir(parents=True, exist_ok=True)
    split = "train" if train else "t10k"
    images = np.arange(n_images * 28 * 28).reshape(n_images, 28, 28).astype(np.uint8)
    if labels is None:
        labels = np.arange(n_labels if n_labels is not None else n_images) % 10
    labels = np.asarray(labels, dtype=np.uint8)
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        stem = f"{split}-{kind}-ubyte"
        data = idx_bytes(array)
        if compress:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)
    return images, labels


# -------------------------------------------------------------- real data

def test_mnist_train_matches_the_known_facts():
    images, labels = load_mnist(root=shared_root("mnist"), train=True)
    assert images.shape == (4502, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (4502,) and labels.dtype == np.int64
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert images.min() == 0 and images.max() == 255
    assert set(np.unique(labels).tolist()) == set(range(10))


def test_mnist_test_split():
    images, labels = load_mnist(root=shared_root("mnist"), train=False)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the official test labels


def test_fashion_mnist_sizes():
    root = shared_root("fashion-mnist")
    train_images, train_labels = load_fashion_mnist(root=root)
    test_images, test_labels = load_fashion_mnist(root=root, train=False)
    assert train_images.shape == (60000, 28, 28) and train_labels.shape == (60000,)
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    assert train_labels.dtype == test_labels.dtype == np.int64
    # Fashion-MNIST is balanced: 6,000 training images per class.
    assert np.bincount(train_labels).tolist() == [6000] * 10


def test_default_root_is_tinynet_data():
    root = shared_root("mnist")
    assert data_root() == root
    images, labels = load_mnist(train=False)  # no root argument: $TINYNET_DATA
    assert len(images) == len(labels) == 10000


def test_load_dataset_names():
    root = shared_root("mnist")
    images, labels = load_dataset("mnist", root=root, train=False)
    expected_images, expected_labels = load_mnist(root=root, train=False)
    np.testing.assert_array_equal(images, expected_images)
    np.testing.assert_array_equal(labels, expected_labels)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="'mnist', 'fashion-mnist'"):
        load_dataset("cifar10")


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_equal_to_torchvision_reader(tmp_path, name):
    """Same arrays as torchvision's own MNIST reader, via its folder layout.

    Decompressed copies go into torchvision's layout root/<TV>/raw/; both
    torchvision's MNIST class and load_dataset then read that folder.
    """
    datasets = pytest.importorskip("torchvision.datasets", reason="torchvision not installed")
    source = shared_root(name) / name
    tv_name = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}[name]
    raw = tmp_path / tv_name / "raw"
    raw.mkdir(parents=True)
    for stem in FILES:
        (raw / stem).write_bytes(gzip.decompress((source / (stem + ".gz")).read_bytes()))

    for train in (True, False):
        reference = getattr(datasets, tv_name)(root=str(tmp_path), train=train, download=False)
        images, labels = load_dataset(name, root=tmp_path, train=train)
        np.testing.assert_array_equal(images, reference.data.numpy())
        np.testing.assert_array_equal(labels, reference.targets.numpy())


# -------------------------------------------------------- finding the files

@pytest.mark.parametrize("layout", ["mnist", ".", "MNIST/raw"])
@pytest.mark.parametrize("compress", [True, False])
def test_every_layout_is_found(tmp_path, layout, compress):
    images, labels = write_split(tmp_path / layout, n_images=4, compress=compress)
    got_images, got_labels = load_mnist(root=tmp_path)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_labels.dtype == np.int64


def test_named_folder_wins_over_flat_root(tmp_path):
    write_split(tmp_path, n_images=2)
    preferred, _ = write_split(tmp_path / "mnist", n_images=5)
    images, _ = load_mnist(root=tmp_path)
    np.testing.assert_array_equal(images, preferred)


def test_fashion_layouts(tmp_path):
    images, _ = write_split(tmp_path / "FashionMNIST" / "raw", train=False, n_images=2)
    np.testing.assert_array_equal(load_fashion_mnist(root=tmp_path, train=False)[0], images)


def test_images_and_labels_must_come_from_one_folder(tmp_path):
    write_split(tmp_path / "mnist", n_images=2)
    write_split(tmp_path, n_images=2)
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    (tmp_path / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError):
        load_mnist(root=tmp_path)


def test_root_from_environment(tmp_path, monkeypatch):
    images, _ = write_split(tmp_path / "mnist", n_images=3)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path))
    assert data_root() == tmp_path
    np.testing.assert_array_equal(load_mnist()[0], images)


def test_root_falls_back_to_xdg_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_root() == tmp_path / "tinynet"
    images, _ = write_split(tmp_path / "tinynet" / "mnist", n_images=3)
    np.testing.assert_array_equal(load_mnist()[0], images)


def test_root_falls_back_to_home_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_root() == tmp_path / ".cache" / "tinynet"


def test_explicit_root_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "elsewhere"))
    assert data_root(tmp_path) == tmp_path
    assert data_root(str(tmp_path)) == tmp_path


def test_missing_files_message(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(root=tmp_path, train=False)
    message = str(info.value)
    for path in [tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz",
                 tmp_path / "t10k-labels-idx1-ubyte",
                 tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte"]:
        assert str(path) in message
    assert "download=True" in message and "TINYNET_DATA" in message


# ---------------------------------------------------------------- checks

def test_count_mismatch_names_both_files(tmp_path):
    write_split(tmp_path / "mnist", n_images=3, n_labels=2)
    with pytest.raises(ValueError) as info:
        load_mnist(root=tmp_path)
    message = str(info.value)
    assert "3 images" in message and "2 labels" in message
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message


def test_labels_out_of_range(tmp_path):
    write_split(tmp_path / "mnist", n_images=3, labels=[1, 10, 2])
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.9.*from 1 to 10"):
        load_mnist(root=tmp_path)


def test_images_must_be_3d(tmp_path):
    folder = tmp_path / "mnist"
    write_split(folder, n_images=3)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.zeros((3, 784), np.uint8))))
    with pytest.raises(ValueError, match=r"shape \(N, H, W\)"):
        load_mnist(root=tmp_path)


# ------------------------------------------------------------- download

def test_download_without_torchvision_says_what_to_install(tmp_path, monkeypatch):
    # A None entry in sys.modules makes `import torchvision` raise ImportError.
    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.setitem(sys.modules, "torchvision.datasets", None)
    with pytest.raises(RuntimeError) as info:
        load_mnist(root=tmp_path, download=True)
    message = str(info.value)
    assert "pip install torchvision" in message and "lab" in message
    assert str(tmp_path / "mnist" / "train-images-idx3-ubyte.gz") in message


def test_download_failure_names_cause_and_paths(tmp_path, monkeypatch):
    datasets = pytest.importorskip("torchvision.datasets", reason="torchvision not installed")

    def offline(root, train, download):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(datasets, "FashionMNIST", offline)
    with pytest.raises(RuntimeError) as info:
        load_fashion_mnist(root=tmp_path, download=True)
    message = str(info.value)
    assert "Error downloading" in message
    assert str(tmp_path / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte") in message


def test_download_fetches_into_torchvision_layout(tmp_path, monkeypatch):
    datasets = pytest.importorskip("torchvision.datasets", reason="torchvision not installed")
    calls = []

    def fake_mnist(root, train, download):
        # What torchvision leaves behind: un-gzipped files in root/MNIST/raw/.
        calls.append((root, train, download))
        write_split(Path(root) / "MNIST" / "raw", train=train, n_images=6, compress=False)

    monkeypatch.setattr(datasets, "MNIST", fake_mnist)
    images, labels = load_mnist(root=tmp_path, train=False, download=True)
    assert calls == [(str(tmp_path), False, True)]
    assert images.shape == (6, 28, 28) and labels.tolist() == [0, 1, 2, 3, 4, 5]


def test_no_download_when_files_are_present(tmp_path, monkeypatch):
    datasets = pytest.importorskip("torchvision.datasets", reason="torchvision not installed")

    def must_not_be_called(**kwargs):
        raise AssertionError("torchvision was asked to download present files")

    monkeypatch.setattr(datasets, "MNIST", must_not_be_called)
    images, _ = write_split(tmp_path / "mnist", n_images=2)
    np.testing.assert_array_equal(load_mnist(root=tmp_path, download=True)[0], images)
