"""notebooks/lecture_lab.ipynb and its Korean twin lecture_lab.ko.ipynb: the same code, committed
clean, and both run end to end (with a few epochs)."""
import json
import os
from pathlib import Path

import pytest

from helpers import code_without_comments, untranslated_comments

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {"en": ROOT / "notebooks" / "lecture_lab.ipynb", "ko": ROOT / "notebooks" / "lecture_lab.ko.ipynb"}
EPOCHS = 10
# What the last cell prints, in each notebook's language.
SUMMARY = {"en": "Better than the baseline beyond seed noise:", "ko": "시드 잡음을 넘어 기준 모델보다 좋음:"}
NAMES = {"en": ["one shared BatchNorm (the lecture's), eval mode", "four separate BatchNorms", "dropout",
                "augmentation (1,500 rotated images)", "L2 (lambda = 1e-3)", "early stopping", "DropConnect"],
         "ko": ["공유된 배치 정규화 하나(강의), 평가 모드", "별도의 배치 정규화 네 개", "드롭아웃",
                "데이터 증강(회전 이미지 1,500장)", "L2 (lambda = 1e-3)", "조기 종료", "드롭 커넥트"]}


def cells(lang, cell_type="code"):
    return [cell for cell in json.loads(NOTEBOOKS[lang].read_text(encoding="utf-8"))["cells"]
            if cell["cell_type"] == cell_type]


@pytest.mark.parametrize("lang", NOTEBOOKS)
def test_the_committed_notebook_holds_no_outputs(lang):
    for cell in cells(lang):
        assert cell["outputs"] == [] and cell["execution_count"] is None, "".join(cell["source"])


@pytest.mark.parametrize("lang", NOTEBOOKS)
def test_the_parameters_set_the_epochs_and_the_language(lang):
    [parameters] = [c for c in cells(lang) if "EPOCHS = " in "".join(c["source"])][:1]
    source = "".join(parameters["source"])
    assert 'os.environ.get("TINYNET_NOTEBOOK_EPOCHS", "100")' in source
    assert f'LANG = "{lang}"' in source


def test_both_notebooks_hold_the_same_code():
    """Only comments, docstrings and the LANG parameter differ."""
    english, korean = cells("en"), cells("ko")
    assert len(english) == len(korean) and len(cells("en", "markdown")) == len(cells("ko", "markdown"))
    for i, (en, ko) in enumerate(zip(english, korean)):
        assert (code_without_comments("".join(en["source"]), free_names=("LANG",))
                == code_without_comments("".join(ko["source"]), free_names=("LANG",))), f"code cell {i + 1}"


def test_the_korean_notebook_is_in_korean():
    for i, cell in enumerate(cells("ko")):
        assert untranslated_comments("".join(cell["source"])) == [], f"code cell {i + 1}"
    text = " ".join(" ".join("".join(c["source"]) for c in cells("ko", "markdown")).split())
    for term in ("과적합", "역전파", "배치 정규화", "드롭아웃", "드롭 커넥트", "조기 종료", "가중치 감쇠", "데이터 증강"):
        assert term in text, term


@pytest.mark.parametrize("lang", NOTEBOOKS)
def test_the_notebook_runs_end_to_end(lang, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("MNIST not found: set TINYNET_DATA to a folder holding mnist/")
    monkeypatch.setenv("TINYNET_NOTEBOOK_EPOCHS", str(EPOCHS))
    # Batch-10 matrices are too small for threads; on a busy 2-core machine a
    # threaded BLAS makes the kernel ten times slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(variable, "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOKS[lang], as_version=4)
    # A last cell, added here only, checks what the notebook computed.
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import tinynet as _tn, os as _os\n"
        "assert _tn.__file__.startswith(_os.environ['PYTHONPATH'].split(_os.pathsep)[0]), _tn.__file__\n"
        "assert EPOCHS == %d and LANG == %r\n"
        "assert set(checks) == {'Linear', 'ReLU', 'CrossEntropyLoss', 'BatchNorm1d', 'Dropout',\n"
        "                       'L2 penalty', 'DropConnect'}, sorted(checks)\n"
        "assert all(result.ok for result in checks.values()), [str(r) for r in checks.values()]\n"
        "assert set(results) == {'baseline', 'batchnorm_shared', 'batchnorm_separate', 'dropout',\n"
        "                        'augmentation', 'l2', 'early_stopping', 'dropconnect'}, sorted(results)\n"
        "assert all(0.0 <= acc <= 1.0 for acc in results.values()) and results['baseline'] > 0.4, results\n"
        "assert set(results) - {'baseline'} == set(names)\n"
        "assert len(baseline_runs) == SPREAD_SEEDS and spread > 0, baseline_runs\n"
        "# batch_statistics put the running statistics back: eval mode scores as before.\n"
        "assert _tn.accuracy(shared, x_test, test_labels) == results['batchnorm_shared']\n"
        "print('NOTEBOOK CHECKED')" % (EPOCHS, lang)))
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS[lang].parent)}})
    client.execute()                     # raises CellExecutionError, with the cell, on any error
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    assert "NOTEBOOK CHECKED" in printed
    assert f"Epoch: {EPOCHS} Loss = " in printed
    assert "every gradient check passed: True" in printed
    assert SUMMARY[lang] in printed
    for name in NAMES[lang]:
        assert name in printed, name
