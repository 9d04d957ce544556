"""Reading the IDX file format used by MNIST and Fashion-MNIST.

An IDX file is a tiny header followed by one big block of numbers:

    bytes 0-1   always 0x00 0x00
    byte  2     type code of the values (0x08 = unsigned byte, see _IDX_TYPES)
    byte  3     number of dimensions, ndim
    then        ndim sizes, each a big-endian unsigned 32-bit integer
    then        the values themselves, in C order, big-endian

For example ``train-images-idx3-ubyte`` holds the header ``00 00 08 03``,
the sizes 60000, 28, 28, and then 60000 * 28 * 28 unsigned bytes.
The files are usually distributed gzip-compressed (``.gz``); ``read_idx``
accepts both forms.
"""
import gzip
import zlib
from pathlib import Path

import numpy as np

# Type code -> NumPy dtype of the stored (big-endian) values.
_IDX_TYPES = {
    0x08: np.dtype("u1"),  # unsigned byte: MNIST pixels and labels
    0x09: np.dtype("i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}

_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """A file that is not a well-formed IDX file. ``str(err)`` starts with the path."""

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def read_idx(path):
    """Read an IDX file (raw or gzip-compressed) into a NumPy array.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Whether it is compressed is decided from its first bytes
        (gzip files start with 0x1f 0x8b, IDX files with 0x00 0x00), not
        from its name.

    Returns
    -------
    numpy.ndarray
        A new, writable array in native byte order whose shape is the one
        the header declares, e.g. ``uint8`` of shape (60000, 28, 28) for
        training images or (60000,) for training labels.

    Raises
    ------
    IDXError (a ValueError)
        If the file is not valid gzip, has a bad magic number or type code,
        or holds fewer or more bytes than its header declares. The message
        names the file and the problem.
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(path, data)
    return _parse_idx(path, data)


def _gunzip(path, compressed):
    """Decompress all of ``compressed`` in one go, naming ``path`` on failure."""
    try:
        return gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as err:
        # gzip raises BadGzipFile (an OSError) for a bad header, zlib.error
        # for damaged data and EOFError for a cut-off stream.
        raise IDXError(path, f"corrupt gzip stream ({err})") from err


def _parse_idx(path, data):
    """Check the header of the IDX bytes ``data`` and return the array they hold."""
    if len(data) < 4:
        raise IDXError(path, f"only {len(data)} bytes, too short for an IDX header")
    zero0, zero1, type_code, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0:
        raise IDXError(
            path,
            f"not an IDX file: magic number starts with 0x{zero0:02x} 0x{zero1:02x}, "
            "expected 0x00 0x00",
        )
    if type_code not in _IDX_TYPES:
        known = ", ".join(f"0x{code:02x}" for code in _IDX_TYPES)
        raise IDXError(path, f"unknown IDX type code 0x{type_code:02x} (known: {known})")
    if ndim == 0:
        raise IDXError(path, "IDX header declares 0 dimensions")

    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXError(
            path, f"header declares {ndim} dimensions but the file ends after {len(data)} bytes"
        )
    shape = tuple(int(size) for size in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))

    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    present = len(data) - header_size
    if present < expected:
        raise IDXError(
            path,
            f"header declares {_describe(shape)} ({expected} bytes) but only {present} "
            "are present (truncated file?)",
        )
    if present > expected:
        raise IDXError(
            path,
            f"header declares {_describe(shape)} ({expected} bytes) but {present} are "
            f"present: {present - expected} bytes of unexpected trailing data",
        )

    values = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=header_size)
    # astype copies: the result is writable and in the machine's byte order.
    return values.astype(dtype.newbyteorder("=")).reshape(shape)


def _describe(shape):
    """'60000 images of 28x28' for (60000, 28, 28); '60000 items' for (60000,)."""
    if len(shape) == 1:
        return f"{shape[0]} items"
    noun = "images" if len(shape) == 3 else "items"
    return f"{shape[0]} {noun} of " + "x".join(str(size) for size in shape[1:])
