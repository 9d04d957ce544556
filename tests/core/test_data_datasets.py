"""Tests for tinynet.data.datasets: finding, downloading and checking MNIST files."""
import functools
import gzip
import hashlib
import http.server
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from tinynet.data import (cache_root, data_roots, fetch, load_dataset, load_fashion_mnist,
                          load_mnist)

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


def test_default_roots_are_tinynet_data_then_the_cache(isolated_cache):
    root = shared_root("mnist")
    assert data_roots() == [root, isolated_cache / "tinynet"]
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


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """$XDG_CACHE_HOME in a fresh folder: the machine's own ~/.cache/tinynet is never read."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def test_root_from_environment(tmp_path, monkeypatch, isolated_cache):
    images, _ = write_split(tmp_path / "mnist", n_images=3)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path))
    assert data_roots() == [tmp_path, isolated_cache / "tinynet"]
    np.testing.assert_array_equal(load_mnist()[0], images)


def test_root_falls_back_to_xdg_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_roots() == [tmp_path / "tinynet"] and cache_root() == tmp_path / "tinynet"
    images, _ = write_split(tmp_path / "tinynet" / "mnist", n_images=3)
    np.testing.assert_array_equal(load_mnist()[0], images)


def test_root_falls_back_to_home_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_roots() == [tmp_path / ".cache" / "tinynet"]


def test_explicit_root_is_the_only_place_looked_in(tmp_path, monkeypatch, isolated_cache):
    write_split(isolated_cache / "tinynet" / "mnist", n_images=3)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "elsewhere"))
    assert data_roots(tmp_path) == [tmp_path] and data_roots(str(tmp_path)) == [tmp_path]
    with pytest.raises(FileNotFoundError):
        load_mnist(root=tmp_path / "empty")


def test_the_cache_is_searched_after_tinynet_data(tmp_path, monkeypatch, isolated_cache):
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "data"))
    in_cache, _ = write_split(isolated_cache / "tinynet" / "mnist", n_images=3)
    np.testing.assert_array_equal(load_mnist()[0], in_cache)          # TINYNET_DATA is empty
    in_data, _ = write_split(tmp_path / "data" / "mnist", n_images=5)
    np.testing.assert_array_equal(load_mnist()[0], in_data)           # ... and now wins


def test_missing_files_message(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(root=tmp_path, train=False)
    message = str(info.value)
    folders = [tmp_path / "mnist", tmp_path, tmp_path / "MNIST" / "raw"]
    assert message.startswith(
        "mnist test files not found. Looked for t10k-images-idx3-ubyte(.gz) and "
        "t10k-labels-idx1-ubyte(.gz), both in one folder, in the root argument, in this order:\n"
        + "\n".join(f"  {folder}" for folder in folders) + "\n"
        "They were not downloaded: downloads are switched off (TINYNET_NO_DOWNLOAD=1).\n"
        f"To download them into {tmp_path / 'mnist'}: unset TINYNET_NO_DOWNLOAD, then run "
        f"`python -m tinynet.data download mnist --root {tmp_path}`"), message


def test_missing_files_without_a_root_name_both_roots_in_order(tmp_path, monkeypatch,
                                                               isolated_cache):
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(download=False)
    message = str(info.value)
    cache = isolated_cache / "tinynet"
    folders = [tmp_path / "data" / "fashion-mnist", tmp_path / "data",
               tmp_path / "data" / "FashionMNIST" / "raw",
               cache / "fashion-mnist", cache, cache / "FashionMNIST" / "raw"]
    assert "in $TINYNET_DATA, then the cache folder, in this order:\n" + "\n".join(
        f"  {folder}" for folder in folders) + "\n" in message
    assert f"To download them into {cache / 'fashion-mnist'}: " in message
    assert "`python -m tinynet.data download fashion-mnist`" in message


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
#
# A local HTTP server (127.0.0.1, a thread, shut down after the test) stands
# in for the mirrors: the real download path runs without the internet.

@pytest.fixture
def serve(tmp_path, monkeypatch):
    """serve(files) -> base URL of a local server holding {name: bytes}."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    servers = []

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            start.requests.append(self.path)
            super().do_GET()

    def start(files):
        folder = tmp_path / f"served{len(servers)}"
        folder.mkdir()
        for file_name, data in files.items():
            (folder / file_name).write_bytes(data)
        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    start.requests = []                                       # every path asked for
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def gz_split(train=True, n_images=3):
    """The two .gz files of a tiny synthetic split, as {file name: bytes}."""
    split = "train" if train else "t10k"
    images = np.arange(n_images * 28 * 28).reshape(n_images, 28, 28).astype(np.uint8)
    labels = (np.arange(n_images) % 10).astype(np.uint8)
    return {f"{split}-images-idx3-ubyte.gz": gzip.compress(idx_bytes(images)),
            f"{split}-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(labels))}


def use_mirrors(monkeypatch, name, mirrors, files=None):
    """Allow downloads; point ``name``'s mirrors at ``mirrors``; trust the SHA-256 of ``files``."""
    monkeypatch.delenv("TINYNET_NO_DOWNLOAD", raising=False)
    monkeypatch.setitem(fetch._MIRRORS, name, list(mirrors))
    if files is not None:
        sums = dict(fetch._SHA256[name])
        sums.update({f: hashlib.sha256(data).hexdigest() for f, data in files.items()})
        monkeypatch.setitem(fetch._SHA256, name, sums)


def test_the_checksum_table_lists_every_file():
    for name in ("mnist", "fashion-mnist"):
        assert sorted(fetch._SHA256[name]) == sorted(f + ".gz" for f in FILES)
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in fetch._SHA256[name].values())
        assert len(fetch._MIRRORS[name]) == 2


def test_official_mnist_test_checksums_match_the_shared_copy():
    """The shared test split is byte-identical to the official files."""
    folder = shared_root("mnist") / "mnist"
    for stem in FILES[2:]:
        digest = hashlib.sha256((folder / (stem + ".gz")).read_bytes()).hexdigest()
        assert digest == fetch._SHA256["mnist"][stem + ".gz"]


def test_download_of_official_files_through_a_local_mirror(tmp_path, serve, monkeypatch):
    """The real checksum table accepts the official MNIST test files."""
    folder = shared_root("mnist") / "mnist"
    files = {stem + ".gz": (folder / (stem + ".gz")).read_bytes() for stem in FILES[2:]}
    use_mirrors(monkeypatch, "mnist", [serve(files)])        # checksums NOT replaced
    root = tmp_path / "cache"
    images, labels = load_mnist(root=root, train=False, download=True)
    assert images.shape == (10000, 28, 28) and labels[:3].tolist() == [7, 2, 1]
    assert sorted(p.name for p in (root / "mnist").iterdir()) == sorted(files)


def test_download_fetches_into_the_named_folder(tmp_path, serve, monkeypatch):
    files = gz_split(train=False, n_images=6)
    use_mirrors(monkeypatch, "fashion-mnist", [serve(files)], files)
    images, labels = load_fashion_mnist(root=tmp_path, train=False, download=True)
    assert images.shape == (6, 28, 28) and labels.tolist() == [0, 1, 2, 3, 4, 5]
    assert sorted(p.name for p in (tmp_path / "fashion-mnist").iterdir()) == sorted(files)
    # a second call reads the files on disk: the mirror is no longer needed
    use_mirrors(monkeypatch, "fashion-mnist", ["http://127.0.0.1:9/"])
    np.testing.assert_array_equal(load_fashion_mnist(root=tmp_path, train=False, download=True)[0],
                                  images)


def test_download_falls_back_to_the_second_mirror(tmp_path, serve, monkeypatch):
    files = gz_split(train=True, n_images=4)
    empty_mirror = serve({})                                  # answers 404
    use_mirrors(monkeypatch, "mnist", [empty_mirror, serve(files)], files)
    images, _ = load_mnist(root=tmp_path, download=True)
    assert images.shape == (4, 28, 28)


def test_checksum_mismatch_is_refused_and_leaves_no_file(tmp_path, serve, monkeypatch):
    files = gz_split(train=True, n_images=4)
    tampered = dict(files)
    tampered["train-images-idx3-ubyte.gz"] = gzip.compress(b"not the images")
    mirror = serve(tampered)
    use_mirrors(monkeypatch, "mnist", [mirror, mirror], files)   # the sums of the true files
    with pytest.raises(RuntimeError) as info:
        load_mnist(root=tmp_path, download=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "every mirror failed" in message
    assert "hash" in message.lower() and mirror in message
    assert "put the files yourself" in message
    folder = tmp_path / "mnist"
    assert not (folder / "train-images-idx3-ubyte.gz").exists()
    assert [p.name for p in folder.iterdir()] == []           # no temporary file either


def test_unreachable_mirrors_name_every_url(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    dead = ["http://127.0.0.1:9/a/", "http://127.0.0.1:9/b/"]   # port 9: connection refused
    use_mirrors(monkeypatch, "mnist", dead)
    with pytest.raises(RuntimeError) as info:
        load_mnist(root=tmp_path, train=False, download=True)
    message = str(info.value)
    assert all(url + "t10k-images-idx3-ubyte.gz" in message for url in dead)
    assert "internet connection" in message
    assert f"  {tmp_path / 'mnist'}" in message


def test_download_without_pooch_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_NO_DOWNLOAD")
    # A None entry in sys.modules makes `import pooch` raise ImportError.
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(RuntimeError) as info:
        load_mnist(root=tmp_path, download=True)
    message = str(info.value)
    assert "pip install pooch" in message and ".[lab]" in message
    assert f"  {tmp_path / 'MNIST' / 'raw'}" in message


def test_tinynet_imports_without_pooch_or_torch():
    """tinynet itself needs NumPy only: pooch is imported in the download path."""
    code = ("import sys; sys.modules['pooch'] = None; sys.modules['torch'] = None; "
            "sys.modules['torchvision'] = None; import tinynet, tinynet.data, tinynet.nn; "
            "assert 'pooch' not in [m for m in sys.modules if sys.modules[m] is not None]")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_download_into_an_impossible_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYNET_NO_DOWNLOAD")
    root = tmp_path / "a-file"
    root.write_text("not a folder")
    with pytest.raises(RuntimeError) as info:
        load_mnist(root=root, download=True)
    message = str(info.value)
    assert str(root / "mnist") in message and "TINYNET_DATA" in message


def test_no_download_when_files_are_present(tmp_path, monkeypatch):
    use_mirrors(monkeypatch, "mnist", ["http://127.0.0.1:9/"])   # would fail if asked
    images, _ = write_split(tmp_path / "MNIST" / "raw", n_images=2, compress=False)
    np.testing.assert_array_equal(load_mnist(root=tmp_path, download=True)[0], images)


# ---------------------------------------------------- when downloads happen

def test_by_default_missing_files_are_downloaded_when_pooch_is_installed(
        tmp_path, serve, monkeypatch, isolated_cache):
    pytest.importorskip("pooch")
    files = gz_split(train=False, n_images=4)
    use_mirrors(monkeypatch, "mnist", [serve(files)], files)
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "read-only-data"))
    images, _ = load_mnist(train=False)                       # download=None
    assert images.shape == (4, 28, 28)
    assert sorted(p.name for p in (isolated_cache / "tinynet" / "mnist").iterdir()) == \
        sorted(files)
    assert not (tmp_path / "read-only-data").exists()          # downloads go to the cache


def test_by_default_without_pooch_the_error_says_how_to_install_it(tmp_path, serve, monkeypatch):
    files = gz_split(train=False)
    use_mirrors(monkeypatch, "mnist", [serve(files)], files)
    monkeypatch.setitem(sys.modules, "pooch", None)
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(root=tmp_path, train=False)
    message = str(info.value)
    assert "They were not downloaded: pooch, which downloads them, is not installed " \
           "(pip install pooch)." in message
    assert f"run `python -m tinynet.data download mnist --root {tmp_path}`" in message
    assert serve.requests == []


@pytest.mark.parametrize("download", [True, None])
def test_tinynet_no_download_forbids_every_download(tmp_path, serve, monkeypatch, download):
    files = gz_split(train=False)
    use_mirrors(monkeypatch, "mnist", [serve(files)], files)
    monkeypatch.setenv("TINYNET_NO_DOWNLOAD", "1")
    with pytest.raises(FileNotFoundError, match=r"switched off \(TINYNET_NO_DOWNLOAD=1\)"):
        load_mnist(root=tmp_path, train=False, download=download)
    assert serve.requests == [] and list(tmp_path.iterdir()) == [tmp_path / "served0"]


def test_download_false_never_downloads(tmp_path, serve, monkeypatch):
    files = gz_split(train=False)
    use_mirrors(monkeypatch, "mnist", [serve(files)], files)
    with pytest.raises(FileNotFoundError, match="They were not downloaded: download=False"):
        load_mnist(root=tmp_path / "root", train=False, download=False)
    assert serve.requests == []


@pytest.mark.parametrize("bad", ["yes", 1, "False"])
def test_download_must_be_none_true_or_false(tmp_path, bad):
    with pytest.raises(TypeError, match="download must be None"):
        load_mnist(root=tmp_path, download=bad)


def test_the_lab_and_load_mnist_share_the_cache(tmp_path, serve, monkeypatch, isolated_cache):
    """What one downloads, the other finds: same folders, same order, same rule."""
    pytest.importorskip("pooch")
    from experiments import data as lab_data
    train, test = gz_split(train=True, n_images=5), gz_split(train=False, n_images=4)
    use_mirrors(monkeypatch, "mnist", [serve({**train, **test})], {**train, **test})
    monkeypatch.setenv("TINYNET_DATA", str(tmp_path / "empty"))
    lab_data._load_splits.cache_clear()
    try:
        lab = lab_data.load_lab_data("mnist", train_size=3, val_size=2)   # the lab downloads
        monkeypatch.setenv("TINYNET_NO_DOWNLOAD", "1")
        images, _ = load_mnist(train=True)                               # load_mnist finds it
    finally:
        lab_data._load_splits.cache_clear()
    np.testing.assert_array_equal(images[:3], lab.train_images)
    assert (isolated_cache / "tinynet" / "mnist" / "t10k-images-idx3-ubyte.gz").is_file()


def test_the_download_command(tmp_path, serve, monkeypatch, capsys):
    from tinynet.data.__main__ import main
    files = {**gz_split(train=True, n_images=5), **gz_split(train=False, n_images=4)}
    use_mirrors(monkeypatch, "fashion-mnist", [serve(files)], files)
    assert main(["download", "fashion-mnist", "--root", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out == ("fashion-mnist training split: 5 images\n"
                                       "fashion-mnist test split: 4 images\n")
    assert sorted(p.name for p in (tmp_path / "d" / "fashion-mnist").iterdir()) == sorted(files)
    monkeypatch.setenv("TINYNET_NO_DOWNLOAD", "1")
    assert main(["download", "mnist", "--root", str(tmp_path / "e")]) == 1
    assert "switched off (TINYNET_NO_DOWNLOAD=1)" in capsys.readouterr().err
