"""tn.save / tn.load and load_state_dict: atomic writes, clear refusals."""
import io
import os
import zipfile

import numpy as np
import pytest

import tinynet as tn
from tinynet import nn


def model():
    tn.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def assert_same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        np.testing.assert_array_equal(sa[key], sb[key])


def test_load_accepts_the_path_save_was_given(tmp_path):
    source, target = model(), model()
    for p in source.parameters():
        p.data += 1.0
    written = tn.save(source, tmp_path / "w")
    assert written == str(tmp_path / "w.npz") and os.path.exists(written)
    tn.load(target, tmp_path / "w")
    assert_same_state(source, target)
    tn.load(target, str(tmp_path / "w.npz"))


def test_a_failed_save_keeps_the_old_checkpoint_and_leaves_no_temporary(tmp_path, monkeypatch):
    old = model()
    tn.save(old, tmp_path / "ckpt.npz")
    before = (tmp_path / "ckpt.npz").read_bytes()
    changed = model()
    for p in changed.parameters():
        p.data += 5.0

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        tn.save(changed, tmp_path / "ckpt.npz")
    assert (tmp_path / "ckpt.npz").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]
    monkeypatch.undo()
    restored = model()
    tn.load(restored, tmp_path / "ckpt.npz")
    assert_same_state(old, restored)


def test_save_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tn.save(model(), tmp_path / "nope" / "w.npz")


def test_load_of_a_missing_file_names_both_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no saved model at .*w \(nor at .*w\.npz\)"):
        tn.load(model(), tmp_path / "w")


def write_pt_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        archive.writestr("archive/version", b"3\n")


@pytest.mark.parametrize("name, make, message", [
    ("model.pt", write_pt_zip, r"a PyTorch checkpoint .* v.numpy\(\)"),
    ("old.pth", lambda p: p.write_bytes(b"\x80\x02}q\x00."), r"pickle .* v.numpy\(\)"),
    ("w.npy", lambda p: np.save(p, np.zeros(3)), r"a single NumPy array \(.npy\)"),
    ("notes.txt", lambda p: p.write_text("hello"), "a text file"),
    ("empty.npz", lambda p: p.write_bytes(b""), "the file is empty"),
    ("other.zip", lambda p: zipfile.ZipFile(p, "w").writestr("readme.md", "hi"), "a zip archive of other files"),
])
def test_a_file_that_is_not_a_checkpoint_is_named_and_explained(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    with pytest.raises(ValueError) as error:
        tn.load(model(), path)
    text = str(error.value)
    assert name in text and "not a tinynet checkpoint" in text
    assert pytest.importorskip("re").search(message, text), text
    assert "allow_pickle" not in text and "pickle=True" not in text


def test_a_diverged_checkpoint_is_refused_on_load(tmp_path):
    diverged = model()
    diverged[0].weight.data[0, 0] = np.nan
    np.savez(tmp_path / "nan", **diverged.state_dict())         # tn.save would refuse it
    target = model()
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"nan.npz: .*0.weight: 1 non-finite value"):
        tn.load(target, tmp_path / "nan")
    assert_same_state(target, target)
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


@pytest.mark.parametrize("bad", [None, [("0.weight", np.zeros((4, 3)))], "state.npz"])
def test_load_state_dict_needs_a_mapping(bad):
    with pytest.raises(TypeError, match="load_state_dict expects a mapping"):
        model().load_state_dict(bad)


def test_load_state_dict_lists_every_bad_value_and_changes_nothing():
    target = model()
    before = target.state_dict()
    sd = target.state_dict()
    sd["0.weight"][0, 0] = np.inf
    sd["3.bias"][1] = np.nan
    sd["1.running_var"][2] = -1.0
    sd["1.num_batches_tracked"] = np.array(1e30)
    with pytest.raises(ValueError) as error:
        target.load_state_dict(sd)
    message = str(error.value)
    assert "0.weight: 1 non-finite value" in message and "3.bias: 1 non-finite value" in message
    assert "1.running_var: a variance cannot be negative" in message
    assert "1.num_batches_tracked: values from 1e+30 to 1e+30 do not fit the model's int64" in message
    for key, value in target.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert target[1].num_batches_tracked == 0


def test_load_state_dict_refuses_a_fraction_for_an_integer_and_accepts_whole_floats():
    target = model()
    sd = target.state_dict()
    sd["1.num_batches_tracked"] = np.array(2.5)
    with pytest.raises(ValueError, match="fractional values but the model stores int64"):
        target.load_state_dict(sd)
    sd["1.num_batches_tracked"] = np.array(7.0)
    target.load_state_dict(sd)
    assert target[1].num_batches_tracked == 7


def test_float64_torch_style_state_loads_into_float32():
    target = model()
    sd = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in target.state_dict().items()}
    sd["0.weight"][...] = 0.25
    target.load_state_dict(sd)
    assert target[0].weight.data.dtype == np.float32 and np.all(target[0].weight.data == 0.25)
    sd["0.weight"][0, 0] = 1e300                            # finite in float64, inf in float32
    with pytest.raises(ValueError, match="0.weight: value 1e\\+300 overflows the model's float32"):
        target.load_state_dict(sd)


# ------------------------------------------------------------------ save

def test_save_refuses_a_diverged_model_and_keeps_the_old_checkpoint(tmp_path):
    good = model()
    tn.save(good, tmp_path / "ckpt")
    before = (tmp_path / "ckpt.npz").read_bytes()
    diverged = model()
    diverged[0].weight.data[1, 2] = np.inf
    diverged[3].bias.data[:] = np.nan
    with pytest.raises(ValueError) as error:
        tn.save(diverged, tmp_path / "ckpt")
    message = str(error.value)
    assert "0.weight: 1 non-finite value" in message and "3.bias: 2 non-finite value" in message
    assert str(tmp_path / "ckpt.npz") in message and "Nothing was written" in message
    assert (tmp_path / "ckpt.npz").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_save_gives_the_permissions_of_np_savez(tmp_path):
    old = os.umask(0o022)
    try:
        np.savez(tmp_path / "numpy.npz", **model().state_dict())
        tn.save(model(), tmp_path / "ours.npz")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "ours.npz").st_mode == os.stat(tmp_path / "numpy.npz").st_mode
    assert oct(os.stat(tmp_path / "ours.npz").st_mode & 0o777) == "0o644"


def test_save_refuses_to_replace_a_write_protected_checkpoint(tmp_path):
    tn.save(model(), tmp_path / "final.npz")
    os.chmod(tmp_path / "final.npz", 0o444)
    before = (tmp_path / "final.npz").read_bytes()
    changed = model()
    changed[0].weight.data += 1
    with pytest.raises(PermissionError, match=r"final\.npz is write-protected"):
        tn.save(changed, tmp_path / "final.npz")
    assert (tmp_path / "final.npz").read_bytes() == before


def test_save_onto_a_symlink_writes_its_target(tmp_path):
    tn.save(model(), tmp_path / "run1.npz")
    os.symlink("run1.npz", tmp_path / "latest.npz")
    changed = model()
    changed[0].weight.data += 1
    tn.save(changed, tmp_path / "latest")
    assert os.path.islink(tmp_path / "latest.npz")
    restored = model()
    tn.load(restored, tmp_path / "run1.npz")
    assert_same_state(changed, restored)


@pytest.mark.parametrize("kind", [str, os.fsencode, lambda p: p])
def test_save_and_load_take_str_bytes_and_pathlike(tmp_path, kind):
    source = model()
    source[0].weight.data += 2
    assert tn.save(source, kind(tmp_path / "w")) == str(tmp_path / "w.npz")
    restored = model()
    tn.load(restored, kind(tmp_path / "w"))
    assert_same_state(source, restored)


def test_save_to_and_load_from_file_objects(tmp_path):
    source = model()
    source[0].weight.data -= 3
    memory = io.BytesIO()
    assert tn.save(source, memory) is memory
    memory.seek(0)
    restored = model()
    tn.load(restored, memory)
    assert_same_state(source, restored)
    with open(tmp_path / "opened.bin", "wb") as file:          # no .npz added to an open file
        tn.save(source, file)
    with open(tmp_path / "opened.bin", "rb") as file:
        tn.load(model(), file)
    assert os.listdir(tmp_path) == ["opened.bin"]


def test_load_from_a_file_object_that_cannot_seek_is_refused(tmp_path):
    tn.save(model(), tmp_path / "w.npz")
    read_end, write_end = os.pipe()
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        with pytest.raises(TypeError, match="must be seekable"):
            tn.load(model(), pipe)


def test_load_of_a_folder_says_it_is_a_folder(tmp_path):
    (tmp_path / "ckpt").mkdir()
    with pytest.raises(IsADirectoryError, match=r"ckpt is a folder, not a saved model"):
        tn.load(model(), tmp_path / "ckpt")
    (tmp_path / "dir.npz").mkdir()
    with pytest.raises(ValueError, match=r"dir\.npz is not a tinynet checkpoint: it is a folder"):
        tn.load(model(), tmp_path / "dir.npz")
