"""tn.load reads no more than the model can hold, and names the file and key when it refuses.

The archives here are written byte by byte (a zip's local headers, central
directory and end record), so that a file may declare one thing and hold
another, as a damaged or hostile file does.
"""
import io
import os
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from hostile_files import deflate_zeros, last_error_line, run_limited

import tinynet as tn
from tinynet import nn

GIB = 1 << 30


def model():
    tn.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3))


def npy_header(shape, descr="<f4", fortran_order=False):
    """The bytes of a version 1.0 .npy header declaring ``shape`` of ``descr``."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": fortran_order, "shape": tuple(shape)})
    return buffer.getvalue()


def raw_zip(members):
    """A zip archive of (name, method, compressed bytes, CRC-32, declared size) members."""
    body, directory = b"", b""
    for name, method, data, crc, size in members:
        name = name.encode()
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21,
                                 crc, len(data), size, len(name), 0, 0, 0, 0, 0, len(body)) + name
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21,
                            crc, len(data), size, len(name), 0) + name + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    return body + directory + end


def stored(name, content):
    """An uncompressed member whose declared size and CRC are true."""
    return name, zipfile.ZIP_STORED, content, zlib.crc32(content), len(content)


def good_members():
    """The members of a correct checkpoint of model(), uncompressed."""
    members = []
    for key, value in model().state_dict().items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, value)
        members.append(stored(key + ".npy", buffer.getvalue()))
    return members


def peak_bytes_while(action):
    """(error raised by ``action()``, peak bytes allocated meanwhile, as tracemalloc counts)."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            action()
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def one_gib_of_zeros():
    """A deflated member 0.weight.npy holding a valid float32 array of 1 GiB (2**28 zeros)."""
    header = npy_header((1 << 28,))
    data, crc = deflate_zeros(header, GIB >> 20)
    return header, data, crc


def test_the_handmade_archives_are_valid_zip_files(tmp_path, one_gib_of_zeros):
    """The writer above is right: Python's zipfile reads what it writes."""
    path = tmp_path / "good.npz"
    path.write_bytes(raw_zip(good_members()))
    restored = model()
    tn.load(restored, path)
    header, data, crc = one_gib_of_zeros
    with zipfile.ZipFile(io.BytesIO(raw_zip([("a.npy", 8, data, crc, len(header) + GIB)]))) as z:
        with z.open("a.npy") as member:
            assert member.read(len(header) + 10) == header + bytes(10)


# ------------------------------------------------ checked before decompressing

def test_a_1_mb_archive_of_a_1_gib_array_is_refused_before_decompressing(tmp_path,
                                                                          one_gib_of_zeros):
    header, data, crc = one_gib_of_zeros
    members = [("0.weight.npy", zipfile.ZIP_DEFLATED, data, crc, len(header) + GIB)]
    members += [m for m in good_members() if m[0] == "0.bias.npy"]
    path = tmp_path / "bomb.npz"
    path.write_bytes(raw_zip(members))
    assert path.stat().st_size < 2_000_000
    error, peak = peak_bytes_while(lambda: tn.load(model(), path))
    message = str(error)
    assert message.startswith(str(path)) and "nothing was changed" in message
    assert "0.weight: shape (268435456,) in the state dict, (3, 4) in the model" in message
    assert peak < 20_000_000, f"{peak} bytes allocated: the member was decompressed"


def test_an_unknown_key_is_never_decompressed(tmp_path, one_gib_of_zeros):
    header, data, crc = one_gib_of_zeros
    members = good_members() + [("extra.npy", zipfile.ZIP_DEFLATED, data, crc,
                                 len(header) + GIB)]
    path = tmp_path / "extra.npz"
    path.write_bytes(raw_zip(members))
    error, peak = peak_bytes_while(lambda: tn.load(model(), path))
    assert "unexpected keys: ['extra']" in str(error) and str(path) in str(error)
    assert peak < 20_000_000


def test_decompression_stops_at_the_size_the_header_declares(tmp_path, one_gib_of_zeros):
    """A member whose header says (3, 4) but whose stream inflates to 1 GiB.

    The archive's listing agrees with the header (176 bytes), and the CRC is
    that of the whole stream: reading stops after the declared 176 bytes
    (here already while the header is read) and the CRC check then refuses
    the member.
    """
    header = npy_header((3, 4))
    data, crc = deflate_zeros(header, GIB >> 20)
    members = [("0.weight.npy", zipfile.ZIP_DEFLATED, data, crc, len(header) + 48)]
    members += [m for m in good_members() if m[0] == "0.bias.npy"]
    path = tmp_path / "long-stream.npz"
    path.write_bytes(raw_zip(members))
    error, peak = peak_bytes_while(lambda: tn.load(model(), path))
    assert str(error).startswith(f"{path}: 0.weight: damaged") and "Bad CRC-32" in str(error)
    assert peak < 20_000_000


def test_a_header_declaring_2_to_the_60_values_names_file_key_and_shapes(tmp_path):
    members = [stored("0.weight.npy", npy_header((2**40, 2**20)) + bytes(48))]
    members += [m for m in good_members() if m[0] == "0.bias.npy"]
    path = tmp_path / "huge.npz"
    path.write_bytes(raw_zip(members))
    with pytest.raises(ValueError) as info:
        tn.load(model(), path)
    message = str(info.value)
    assert message.startswith(str(path)) and "MemoryError" not in message
    assert "0.weight: shape (1099511627776, 1048576) in the state dict, (3, 4) in the model" \
        in message


def test_a_listing_that_disagrees_with_the_header_is_damaged(tmp_path):
    members = good_members()
    name, method, content, crc, size = members[0]
    members[0] = (name, method, content, crc, size + 1000)        # listed larger than it is
    path = tmp_path / "listing.npz"
    path.write_bytes(raw_zip(members))
    with pytest.raises(ValueError) as info:
        tn.load(model(), path)
    assert str(info.value) == (f"{path}: 0.weight: its header declares shape (3, 4) of float32 "
                               "(48 bytes of data) but the archive lists 1048 (a damaged file)")


def test_a_member_whose_data_is_cut_short_is_truncated(tmp_path):
    members = good_members()
    name, method, content, _, _ = members[0]
    cut = content[:-8]
    members[0] = (name, method, cut, zlib.crc32(cut), len(content))
    path = tmp_path / "short.npz"
    path.write_bytes(raw_zip(members))
    with pytest.raises(ValueError, match=r"short\.npz: 0\.weight: its data ends after 40 of "
                                         r"the 48 bytes its header declares"):
        tn.load(model(), path)


@pytest.mark.parametrize("descr, message", [
    ("|O", "0.weight holds Python objects (dtype object), which only pickle can read"),
    ("<c8", "0.weight: expected a numeric array, got dtype complex64"),
    ([("a", "<f4")], "0.weight: expected a numeric array"),
])
def test_a_member_of_a_foreign_dtype_is_refused_by_its_header(tmp_path, descr, message):
    members = [stored("0.weight.npy", npy_header((3, 4), descr) + bytes(96))]
    members += [m for m in good_members() if m[0] == "0.bias.npy"]
    path = tmp_path / "dtype.npz"
    path.write_bytes(raw_zip(members))
    with pytest.raises(ValueError) as info:
        tn.load(model(), path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_an_oversized_header_is_refused_unread(tmp_path):
    # A version 2.0 header may declare up to 4 GiB of header text.
    content = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1) + b"{"
    members = [stored("0.weight.npy", content)] + good_members()[1:]
    path = tmp_path / "header.npz"
    path.write_bytes(raw_zip(members))
    with pytest.raises(ValueError, match=r"header\.npz: 0\.weight: damaged array header"):
        tn.load(model(), path)


def test_a_key_held_twice_is_refused(tmp_path):
    members = good_members()
    path = tmp_path / "twice.npz"
    path.write_bytes(raw_zip(members + members[:1]))
    with pytest.raises(ValueError, match=r"twice\.npz: the archive holds 0\.weight twice"):
        tn.load(model(), path)


def test_big_endian_fortran_and_float64_arrays_load_as_their_values(tmp_path):
    source = model()
    state = source.state_dict()
    weight = np.asfortranarray(state["0.weight"].astype(">f8") + 0.5)
    np.savez(tmp_path / "mixed.npz", **{"0.weight": weight, "0.bias": state["0.bias"]})
    target = model()
    tn.load(target, tmp_path / "mixed.npz")
    np.testing.assert_array_equal(target[0].weight.data, weight.astype(np.float32))
    assert target[0].weight.data.dtype == np.float32


def test_np_savez_compressed_checkpoints_load(tmp_path):
    source = model()
    source[0].weight.data += 1
    np.savez_compressed(tmp_path / "small.npz", **source.state_dict())
    target = model()
    tn.load(target, tmp_path / "small.npz")
    np.testing.assert_array_equal(target[0].weight.data, source[0].weight.data)


# ------------------------------------------------------------ truncated files

@pytest.mark.parametrize("fraction", [0.001, 0.1, 0.5, 0.9, 0.999])
def test_a_checkpoint_cut_off_anywhere_is_truncated(tmp_path, fraction):
    tn.save(model(), tmp_path / "w.npz")
    whole = (tmp_path / "w.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[:max(1, int(len(whole) * fraction))])
    with pytest.raises(ValueError) as info:
        tn.load(model(), tmp_path / "cut.npz")
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'cut.npz'} is truncated") and "text" not in message


def test_a_text_file_is_still_called_a_text_file(tmp_path):
    (tmp_path / "notes.npz").write_text("loss went down\n성공\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.npz is not a tinynet checkpoint: it is a text"):
        tn.load(model(), tmp_path / "notes.npz")
    (tmp_path / "binary.npz").write_bytes(b"\x01\x02\x03garbage")
    with pytest.raises(ValueError, match="its format is unknown"):
        tn.load(model(), tmp_path / "binary.npz")


# ----------------------------------------------- files that are not files

LOAD = "import tinynet as tn\nfrom tinynet import nn\ntn.load(nn.Sequential(nn.Linear(4, 3)), {!r})\n"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_under_a_memory_limit():
    result = run_limited(LOAD.format("/dev/zero"))
    last_line = last_error_line(result)
    assert last_line == ("ValueError: /dev/zero is not a tinynet checkpoint: it is a character "
                         "device (such as /dev/zero or a terminal), not a regular file. tn.load "
                         "reads the .npz files that tn.save(model, path) writes"), result.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    result = run_limited(LOAD.format(str(tmp_path / "pipe.npz")))
    last_line = last_error_line(result)
    assert last_line.startswith(f"ValueError: {tmp_path / 'pipe.npz'} is not a tinynet "
                                "checkpoint: it is a named pipe (FIFO)"), result.stderr


def test_a_link_to_a_device_is_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "w.npz")
    result = run_limited(LOAD.format(str(tmp_path / "w.npz")))
    last_line = last_error_line(result)
    assert last_line.startswith(f"ValueError: {tmp_path / 'w.npz'} is not a tinynet checkpoint: "
                                "it is a character device"), result.stderr
