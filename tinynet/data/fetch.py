"""Downloading MNIST and Fashion-MNIST: when it is allowed, and how it is done.

The rule, for ``load_mnist(download=...)`` / ``load_fashion_mnist`` /
``load_dataset`` and the lab alike, when the files are not found:

* ``TINYNET_NO_DOWNLOAD`` set to anything but "" or "0" (the tests set it to
  1): nothing is ever downloaded, whatever ``download`` says;
* ``download=False``: nothing is downloaded;
* ``download=True``: the files are downloaded (an error says how to install
  pooch if it is missing);
* ``download=None``, the default: the files are downloaded if pooch is
  installed (``pip install pooch``; the lab extra installs it), else the
  error says how to install it.

How: the split's two ``.gz`` files are fetched with pooch, each from the
first of two mirrors that answers, and checked against the official SHA-256
sum before they get their final name, so a failed or corrupt download never
leaves a file behind. Files already on disk are read as they are (copies
recompressed by a Linux distribution have other checksums but the same data;
the IDX reader and the loader's checks catch corruption).
"""
import importlib.util
import os

NO_DOWNLOAD = "TINYNET_NO_DOWNLOAD"

# Two mirrors per data set, tried in order (the first ones are those torchvision uses).
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


def why_not_download(download):
    """Why missing files are not downloaded (a phrase), or None when they may be."""
    if download is not None and not isinstance(download, bool):
        raise TypeError(f"download must be None (download if pooch is installed), True or "
                        f"False, got {download!r}")
    switch = os.environ.get(NO_DOWNLOAD, "")
    if switch not in ("", "0"):
        return f"downloads are switched off ({NO_DOWNLOAD}={switch})"
    if download is False:
        return "download=False was passed"
    if download is None and importlib.util.find_spec("pooch") is None:
        return "pooch, which downloads them, is not installed (pip install pooch)"
    return None


def download_files(name, folder, file_names, searched):
    """Fetch ``file_names`` (``.gz`` files of data set ``name``) into ``folder`` with pooch.

    ``searched`` lists the places looked in, for the error messages.
    """
    try:
        import pooch
    except ImportError as err:
        raise RuntimeError(
            f"download=True needs pooch to fetch {name}, but it is not installed. "
            "Install it with `pip install pooch` (or, in a checkout of tinynet, "
            f"`pip install -e \".[lab]\"`), or put the files yourself into one of:\n{searched}"
        ) from err
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RuntimeError(
            f"cannot create {folder} to download {name} into ({err.strerror or err}). "
            "Pass a writable root, or set TINYNET_DATA to a folder that holds the files."
        ) from err
    if not os.access(folder, os.W_OK):
        raise RuntimeError(
            f"cannot download {name} into {folder}: the folder is not writable. "
            "Pass a writable root, or set TINYNET_DATA to a folder that holds the files."
        )
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=_TIMEOUT)
    for file_name in file_names:
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
                + f"\nCheck your internet connection, or put the files yourself into one of:\n"
                f"{searched}"
            )
