"""experiments/storage.py: every file of the lab is written whole or not at all
and a corrupt file is named, never trusted."""
import json
import math
import os
import threading

import pytest

from experiments import storage


def test_write_json_round_trips_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "new" / "folder" / "record.json"          # parents are created
    data = {"b": [1, 2.5, None], "a": {"한국어": "과적합"}, "z": True}
    assert storage.write_json(path, data) == path
    assert storage.read_json(path) == data
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["b", "a", "z"]   # stable order
    assert [p.name for p in path.parent.iterdir()] == ["record.json"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_write_json_refuses_non_finite_numbers_and_keeps_the_old_file(tmp_path, bad):
    path = tmp_path / "summary.json"
    storage.write_json(path, {"ok": 1})
    with pytest.raises(ValueError, match="summary.json.*non-finite"):
        storage.write_json(path, {"history": [0.5, bad]})
    assert storage.read_json(path) == {"ok": 1}                  # the good file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "REPORT.md"
    storage.atomic_write_text(path, "old report")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        storage.atomic_write_text(path, "new report")
    assert path.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["REPORT.md"]


def test_temporary_names_are_unique_per_write(tmp_path, monkeypatch):
    """The old code used '<file>.tmp' for every writer: two writers then
    renamed each other's half-written file, or found it gone."""
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for _ in range(3):
        storage.atomic_write_bytes(tmp_path / "figure.png", b"\x89PNG")
    assert len(set(seen)) == 3
    assert all(name.startswith(".figure.png.") and name.endswith(".tmp") for name in seen)


def test_concurrent_writers_and_readers_never_see_a_partial_file(tmp_path):
    path = tmp_path / "summary.json"
    errors, stop = [], threading.Event()

    def writer(k):
        try:
            for i in range(150):
                storage.write_json(path, {"writer": k, "i": i, "payload": list(range(2000))})
        except Exception as error:      # noqa: BLE001 - any failure is the test's finding
            errors.append(repr(error))

    def reader():
        while not stop.is_set():
            try:
                data = json.loads(path.read_text())
            except FileNotFoundError:
                continue                # only before the first write
            except ValueError as error:
                errors.append(f"partial file read: {error}")
                return
            if len(data["payload"]) != 2000:
                errors.append("incomplete payload")

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert storage.read_json(path)["i"] == 149
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_read_json_of_a_missing_file_is_none_without_a_warning(tmp_path, capsys):
    assert storage.read_json(tmp_path / "nothing.json") is None
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("content, problem", [
    ('{"seed": 0, "history": [1, 2', "corrupt or truncated"),
    ("", "empty"),
    ('{"loss": NaN}', "NaN"),                # what the old lab wrote for a diverged run
    ('{"loss": -Infinity}', "Infinity"),
])
def test_read_json_of_a_corrupt_file_is_none_with_one_warning_naming_it(tmp_path, capsys,
                                                                        content, problem):
    path = tmp_path / "lecture__seed3.json"
    path.write_text(content)
    assert storage.read_json(path) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and problem in err


def test_read_json_of_an_unreadable_path_is_none_with_one_warning(tmp_path, capsys):
    folder = tmp_path / "summary.json"
    folder.mkdir()                           # a folder where a file is expected
    assert storage.read_json(folder) is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err and str(folder) in err
