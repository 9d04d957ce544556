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
import math
import os
import struct
import zlib

import numpy as np

from ..files import NotARegularFileError, open_regular_file

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
# Deflate turns one compressed byte into at most 1032 bytes (zlib's
# documented limit), so a gzip file's size bounds what it can hold.
_MAX_INFLATION = 1032
# Bytes read per call: the data arrives piece by piece into its final array.
_CHUNK = 1 << 20


class IDXError(ValueError):
    """A file that is not a well-formed IDX file. ``str(err)`` starts with the path."""

    def __init__(self, path, problem):
        self.path = os.fsdecode(os.fspath(path))
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
        If the path is not a regular file (a folder, a device, a pipe), the
        file is not valid gzip, has a bad magic number or type code, or
        holds fewer or more bytes than its header declares. The message
        names the file and the problem.

    Nothing is read beyond what the header declares: a raw file's size is
    compared with the header before the data is read, and a gzip stream is
    inflated to the declared size plus one byte (which shows trailing data),
    so a small file cannot make the reader fill the memory.
    """
    try:
        file, size = open_regular_file(path)
    except NotARegularFileError as err:
        raise IDXError(path, f"{err.kind}, not a regular file") from None
    with file:
        compressed = file.read(2) == _GZIP_MAGIC
        file.seek(0)
        if not compressed:
            return _read_values(path, file, available=size)
        try:
            with gzip.GzipFile(fileobj=file, mode="rb") as stream:
                return _read_values(path, stream, available=None, compressed_size=size)
        except (OSError, EOFError, zlib.error) as err:
            # gzip raises BadGzipFile (an OSError) for a bad header, zlib.error
            # for damaged data and EOFError for a cut-off stream.
            raise IDXError(path, f"corrupt gzip stream ({err})") from None


def _read_values(path, stream, available, compressed_size=None):
    """Check the IDX header at the start of ``stream``, then read exactly the values it declares.

    ``available`` is the number of bytes of a raw file; None for a gzip
    stream, whose inflated size is known only by inflating it.
    """
    start = _read_exactly(stream, 4)
    if len(start) < 4:
        raise IDXError(path, f"only {len(start)} bytes, too short for an IDX header")
    zero0, zero1, type_code, ndim = start
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

    sizes = _read_exactly(stream, 4 * ndim)
    header_size = 4 + 4 * ndim
    if len(sizes) < 4 * ndim:
        raise IDXError(
            path, f"header declares {ndim} dimensions but the file ends after "
                  f"{4 + len(sizes)} bytes"
        )
    shape = struct.unpack(f">{ndim}I", sizes)
    dtype = _IDX_TYPES[type_code]
    count = math.prod(shape)                 # Python ints: 2**31 * 2**31 * 4 does not wrap
    expected = count * dtype.itemsize
    declared = f"header declares {_describe(shape)} ({expected} bytes)"

    if available is not None and available - header_size != expected:
        _refuse_size(path, declared, expected, available - header_size, exact=True)
    if compressed_size is not None and expected > _MAX_INFLATION * compressed_size:
        raise IDXError(
            path,
            f"{declared} but a gzip file of {compressed_size} bytes inflates to at most "
            f"{_MAX_INFLATION * compressed_size} (deflate's limit is {_MAX_INFLATION} to 1): "
            "the header is corrupt or the file truncated",
        )
    values = np.empty(count, dtype=dtype)
    present = _read_into(stream, values)
    if present < expected:
        _refuse_size(path, declared, expected, present, exact=True)
    if stream.read(1):
        _refuse_size(path, declared, expected, present + 1, exact=False)
    if not dtype.isnative:
        # The file is big-endian: swap the bytes in place, then read them as native.
        values.byteswap(inplace=True)
        values = values.view(dtype.newbyteorder("="))
    return values.reshape(shape)


def _refuse_size(path, declared, expected, present, exact):
    """The IDXError for ``present`` data bytes where ``expected`` are declared."""
    if present < expected:
        raise IDXError(path, f"{declared} but only {present} are present (truncated file?)")
    if exact:
        raise IDXError(path, f"{declared} but {present} are present: {present - expected} "
                             "bytes of unexpected trailing data")
    raise IDXError(path, f"{declared} but the data goes on after them: unexpected trailing "
                         "data (or a corrupt header)")


def _read_exactly(stream, size):
    """Up to ``size`` bytes: fewer only where the stream ends."""
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _read_into(stream, array):
    """Fill ``array``'s bytes from ``stream`` a chunk at a time; return the bytes read."""
    view = memoryview(array).cast("B")
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:filled + _CHUNK])
        if not got:
            break
        filled += got
    return filled


def _describe(shape):
    """'60000 images of 28x28' for (60000, 28, 28); '60000 items' for (60000,)."""
    if len(shape) == 1:
        return f"{shape[0]} items"
    noun = "images" if len(shape) == 3 else "items"
    return f"{shape[0]} {noun} of " + "x".join(str(size) for size in shape[1:])
