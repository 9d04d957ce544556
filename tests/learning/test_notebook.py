"""notebooks/lecture_lab.ipynb runs end to end (with a few epochs) and is committed clean."""
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "lecture_lab.ipynb"
EPOCHS = 10


def code_cells():
    return [cell for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
            if cell["cell_type"] == "code"]


def test_the_committed_notebook_holds_no_outputs():
    for cell in code_cells():
        assert cell["outputs"] == [] and cell["execution_count"] is None, "".join(cell["source"])


def test_the_epoch_count_is_a_parameter_the_tests_can_lower():
    [parameters] = [c for c in code_cells() if "EPOCHS = " in "".join(c["source"])][:1]
    assert 'os.environ.get("TINYNET_NOTEBOOK_EPOCHS", "100")' in "".join(parameters["source"])


def test_the_notebook_runs_end_to_end(monkeypatch):
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
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # A last cell, added here only, checks what the notebook computed.
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import tinynet as _tn, os as _os\n"
        "assert _tn.__file__.startswith(_os.environ['PYTHONPATH'].split(_os.pathsep)[0]), _tn.__file__\n"
        "assert EPOCHS == %d\n"
        "assert set(checks) == {'Linear', 'ReLU', 'CrossEntropyLoss', 'BatchNorm1d', 'Dropout',\n"
        "                       'L2 penalty', 'DropConnect'}, sorted(checks)\n"
        "assert all(result.ok for result in checks.values()), [str(r) for r in checks.values()]\n"
        "assert set(results) == {'baseline', 'batchnorm', 'dropout', 'augmentation', 'l2',\n"
        "                        'early_stopping', 'dropconnect'}, sorted(results)\n"
        "assert all(0.0 <= acc <= 1.0 for acc in results.values()) and results['baseline'] > 0.4, results\n"
        "print('NOTEBOOK CHECKED')" % EPOCHS))
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()                     # raises CellExecutionError, with the cell, on any error
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.outputs)
    assert "NOTEBOOK CHECKED" in printed
    assert f"Epoch: {EPOCHS} Loss = " in printed
    assert "every gradient check passed: True" in printed
