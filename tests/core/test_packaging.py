"""What `pip install .` and its extras install (setup.cfg).

`pip install .` installs the `tinynet` package only: the lab and the tests
run from the checkout. The `lab` extra must not pull PyTorch (several GB
with its CUDA libraries): the lab trains with NumPy and downloads MNIST
with pooch.
"""
import configparser
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def extras():
    """{extra: [requirement names]} from setup.cfg."""
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    section = config["options.extras_require"]
    return {extra: [re.split(r"[<>=!~ ;\[]", line.strip())[0].lower()
                    for line in section[extra].splitlines() if line.strip()]
            for extra in section}


def test_the_lab_extra_does_not_install_pytorch():
    lab = extras()["lab"]
    assert not {"torch", "torchvision"} & set(lab), lab
    assert {"matplotlib", "threadpoolctl", "psutil", "pooch"} <= set(lab)


def test_pytorch_lives_in_the_torch_and_test_extras():
    found = extras()
    assert found["torch"] == ["torchvision"]
    # the tests need everything the lab needs, plus the oracle and the test tools
    assert set(found["lab"]) | {"torchvision", "pytest", "hypothesis"} <= set(found["test"])


def test_python_requires_is_what_the_ci_runs():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    assert config["options"]["python_requires"].strip() == ">=3.11"
    assert sys.version_info >= (3, 11)


def test_the_wheel_holds_tinynet_only(tmp_path):
    """Build the wheel from a copy of the checkout (no network, no build isolation)."""
    pytest.importorskip("setuptools", reason="building the wheel needs setuptools")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for folder in ("tinynet", "experiments", "tests"):
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    wheels = tmp_path / "wheels"
    process = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(wheels), "-q"],
        capture_output=True, text=True, timeout=300)
    if process.returncode != 0 and "bdist_wheel" in process.stderr:
        pytest.skip("this setuptools cannot build wheels without the `wheel` package")
    assert process.returncode == 0, process.stderr[-2000:]
    [wheel] = wheels.glob("tinynet-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"tinynet", wheel.name.split("-py")[0] + ".dist-info"}, top_level
    assert "tinynet/data/datasets.py" in names and "tinynet/nn/linear.py" in names
    metadata = zipfile.ZipFile(wheel).read(
        next(name for name in names if name.endswith("METADATA"))).decode()
    assert "Requires-Python: >=3.11" in metadata
    assert [line for line in metadata.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line] == \
        ["Requires-Dist: numpy>=1.24"]
