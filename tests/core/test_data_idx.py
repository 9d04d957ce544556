"""Tests for tinynet.data.idx: reading IDX files, raw and gzip-compressed."""
import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinynet.data import IDXError, read_idx

_TYPE_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B,
               np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array):
    """The IDX encoding of ``array``, written out by hand from the format spec."""
    big_endian = np.dtype(array.dtype).newbyteorder(">") if array.dtype.itemsize > 1 \
        else array.dtype
    header = bytes([0, 0, _TYPE_CODES[big_endian], array.ndim])
    header += b"".join(struct.pack(">I", size) for size in array.shape)
    return header + array.astype(big_endian).tobytes()


def write(path, data, compress):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_round_trip_every_type(tmp_path, compress, dtype):
    array = (np.arange(2 * 3 * 4) - 7).reshape(2, 3, 4).astype(dtype)
    path = write(tmp_path / "values.idx", idx_bytes(array), compress)
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype)           # native byte order
    assert result.dtype.isnative
    np.testing.assert_array_equal(result, array)


@given(array=hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=4, max_side=6)),
       compress=st.booleans())
def test_round_trip_uint8_any_shape(tmp_path_factory, array, compress):
    path = write(tmp_path_factory.mktemp("idx") / "a.idx", idx_bytes(array), compress)
    result = read_idx(path)
    assert result.shape == array.shape
    np.testing.assert_array_equal(result, array)


def test_result_is_writable(tmp_path):
    path = write(tmp_path / "a.gz", idx_bytes(np.zeros((3, 2, 2), np.uint8)), True)
    result = read_idx(path)
    result[0, 0, 0] = 7
    assert result[0, 0, 0] == 7


def test_compression_detected_from_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8)
    raw_named_gz = write(tmp_path / "raw.gz", idx_bytes(array), False)
    gz_named_raw = write(tmp_path / "compressed.idx", idx_bytes(array), True)
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)
    np.testing.assert_array_equal(read_idx(gz_named_raw), array)


def test_accepts_str_paths(tmp_path):
    path = write(tmp_path / "a.idx", idx_bytes(np.arange(3, dtype=np.uint8)), False)
    np.testing.assert_array_equal(read_idx(str(path)), [0, 1, 2])


# ----------------------------------------------------------------- errors

def check_error(path, *fragments):
    """read_idx(path) must raise IDXError (a ValueError) naming the file and the problem."""
    with pytest.raises(ValueError) as info:
        read_idx(path)
    message = str(info.value)
    assert isinstance(info.value, IDXError)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_data(tmp_path, compress):
    images = np.zeros((60, 28, 28), np.uint8)
    data = idx_bytes(images)[:-(28 * 28 * 55)]  # only 5 of the 60 images left
    path = write(tmp_path / "train-images-idx3-ubyte.gz", data, compress)
    check_error(path, "60 images of 28x28", "47040 bytes", "only 3920", "truncated")


@pytest.mark.parametrize("compress", [False, True])
def test_trailing_garbage(tmp_path, compress):
    data = idx_bytes(np.arange(10, dtype=np.uint8)) + b"junk"
    path = write(tmp_path / "labels.idx", data, compress)
    check_error(path, "10 items", "4 bytes of unexpected trailing data")


def test_bad_magic(tmp_path):
    data = b"\x12\x34" + idx_bytes(np.arange(4, dtype=np.uint8))[2:]
    check_error(write(tmp_path / "bad", data, False), "not an IDX file", "0x12 0x34")


def test_unknown_type_code(tmp_path):
    data = bytearray(idx_bytes(np.arange(4, dtype=np.uint8)))
    data[2] = 0x42
    check_error(write(tmp_path / "bad", bytes(data), False), "unknown IDX type code 0x42")


def test_zero_dimensions(tmp_path):
    check_error(write(tmp_path / "bad", b"\x00\x00\x08\x00", False), "0 dimensions")


def test_header_shorter_than_its_dimensions(tmp_path):
    data = b"\x00\x00\x08\x03" + struct.pack(">I", 5)  # 3 sizes announced, 1 given
    check_error(write(tmp_path / "bad", data, False), "3 dimensions", "ends after 8 bytes")


def test_too_short_for_a_header(tmp_path):
    check_error(write(tmp_path / "bad", b"\x00\x00", False), "too short")


def test_empty_file(tmp_path):
    check_error(write(tmp_path / "empty", b"", False), "too short")


def test_corrupt_gzip_stream(tmp_path):
    compressed = bytearray(gzip.compress(idx_bytes(np.arange(5000, dtype=np.int32))))
    middle = len(compressed) // 2
    compressed[middle:middle + 8] = b"\xff" * 8
    path = tmp_path / "broken.gz"
    path.write_bytes(bytes(compressed))
    check_error(path, "corrupt gzip stream")


def test_cut_off_gzip_stream(tmp_path):
    compressed = gzip.compress(idx_bytes(np.arange(5000, dtype=np.int32)))
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    check_error(path, "corrupt gzip stream")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nothing.gz")


# -------------------------------------------------------------- real files

def shared_file(*parts):
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, *parts).is_file():
        pytest.skip(f"real data not available: set TINYNET_DATA to a folder holding "
                    f"{'/'.join(parts)}")
    return Path(root, *parts)


def test_real_mnist_headers():
    images = read_idx(shared_file("mnist", "train-images-idx3-ubyte.gz"))
    labels = read_idx(shared_file("mnist", "train-labels-idx1-ubyte.gz"))
    assert images.shape == (4502, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (4502,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_real_file_truncated_copy_names_the_file(tmp_path):
    original = gzip.decompress(shared_file("mnist", "t10k-images-idx3-ubyte.gz").read_bytes())
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(original[: 16 + 4500 * 784], compresslevel=1))
    check_error(path, "10000 images of 28x28 (7840000 bytes) but only 3528000 are present")
