"""Tests for tinynet.data.idx: reading IDX files, raw and gzip-compressed."""
import gzip
import os
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hostile_files import gzip_of_zeros, last_error_line, run_limited
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


def test_trailing_garbage(tmp_path):
    data = idx_bytes(np.arange(10, dtype=np.uint8)) + b"junk"
    path = write(tmp_path / "labels.idx", data, False)
    check_error(path, "10 items (10 bytes) but 14 are present: 4 bytes of unexpected trailing data")


def test_trailing_garbage_in_a_gzip_stream_is_found_after_one_byte(tmp_path):
    data = idx_bytes(np.arange(10, dtype=np.uint8)) + b"junk"
    path = write(tmp_path / "labels.idx", data, True)
    check_error(path, "10 items (10 bytes) but the data goes on after them: unexpected trailing")


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


# ------------------------------------------------ headers that lie about sizes

def test_a_header_whose_byte_count_overflows_64_bits_is_named_exactly(tmp_path):
    """2**31 * 2**31 * 4 bytes is 2**64: NumPy's int64 product wraps it to 0."""
    header = b"\x00\x00\x08\x03" + struct.pack(">3I", 2**31, 2**31, 4)
    path = write(tmp_path / "wrap-idx3-ubyte", header, False)
    check_error(path, "2147483648 images of 2147483648x4 (18446744073709551616 bytes) "
                      "but only 0 are present (truncated file?)")


def test_a_gzip_file_cannot_declare_more_than_it_could_inflate_to(tmp_path):
    header = b"\x00\x00\x08\x03" + struct.pack(">3I", 2**31, 2**31, 4)
    path = write(tmp_path / "wrap-idx3-ubyte.gz", header + bytes(1000), True)
    size = path.stat().st_size
    check_error(path, "(18446744073709551616 bytes) but a gzip file of "
                      f"{size} bytes inflates to at most {1032 * size}")


def test_a_header_declaring_exabytes_in_a_raw_file_is_refused_before_reading(tmp_path):
    header = b"\x00\x00\x0e\x02" + struct.pack(">2I", 2**32 - 1, 2**32 - 1)   # float64
    path = write(tmp_path / "huge", header + bytes(80), False)
    check_error(path, "header declares 4294967295 items of 4294967295 "
                      f"({(2**32 - 1) ** 2 * 8} bytes) but only 80 are present")


def test_a_small_gzip_that_inflates_to_2_gib_is_read_only_to_its_declared_size(tmp_path):
    """A 2 MB .gz whose header says 10 images but whose stream holds 2 GiB."""
    header = b"\x00\x00\x08\x03" + struct.pack(">3I", 10, 28, 28)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(gzip_of_zeros(header, 2048))
    assert path.stat().st_size < 3_000_000
    tracemalloc.start()
    try:
        with pytest.raises(IDXError) as info:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value) == (f"{path}: header declares 10 images of 28x28 (7840 bytes) but "
                               "the data goes on after them: unexpected trailing data "
                               "(or a corrupt header)")
    assert peak < 20_000_000, f"{peak} bytes allocated: the stream was inflated"


def test_a_gzip_of_exactly_the_declared_size_is_read(tmp_path):
    header = b"\x00\x00\x08\x03" + struct.pack(">3I", 3, 28, 28)
    path = tmp_path / "zeros-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(3 * 784)))
    images = read_idx(path)
    assert images.shape == (3, 28, 28) and not images.any()


# ------------------------------------------------- paths that are not files

def test_a_folder_is_not_an_idx_file(tmp_path):
    check_error(tmp_path, "a folder, not a regular file")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_under_a_memory_limit():
    result = run_limited("from tinynet.data import read_idx\nread_idx('/dev/zero')\n")
    assert last_error_line(result) == (
        "tinynet.data.idx.IDXError: /dev/zero: a character device (such as /dev/zero or a "
        "terminal), not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "train-images-idx3-ubyte")
    result = run_limited("from tinynet.data import read_idx\n"
                         f"read_idx({str(tmp_path / 'train-images-idx3-ubyte')!r})\n")
    assert last_error_line(result).endswith("train-images-idx3-ubyte: a named pipe (FIFO), "
                                            "which waits for a writer, not a regular file")


def test_bytes_paths_are_named_as_text(tmp_path):
    path = write(tmp_path / "bad", b"\x12\x34\x08\x01", False)
    with pytest.raises(IDXError) as info:
        read_idx(os.fsencode(path))
    assert str(info.value).startswith(f"{path}: not an IDX file")


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
