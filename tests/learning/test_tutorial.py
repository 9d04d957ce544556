"""docs/tutorial.md and docs/tutorial.ko.md: their Python blocks run as written, in order."""
import os
import re
from pathlib import Path

import numpy  # noqa: F401  (loaded before threadpool_limits, so that the limit reaches its BLAS)
import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
TUTORIALS = ["tutorial.md", "tutorial.ko.md"]


def python_blocks(name):
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("name", TUTORIALS)
def test_the_tutorial_runs_as_written(name, capsys):
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("MNIST not found: set TINYNET_DATA to a folder holding mnist/")
    blocks = python_blocks(name)
    assert len(blocks) >= 8
    namespace = {}
    try:                                 # batch-10 products: threads only cost time
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except ImportError:
        limits = None
    try:
        for i, block in enumerate(blocks):
            exec(compile(block, f"{name}, python block {i + 1}", "exec"), namespace)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    printed = capsys.readouterr().out
    assert namespace["train_accuracy"] == 1.0                 # the 300 images are learned by heart
    assert 0.6 < namespace["test_accuracy"] < 0.9            # ... and the test set is not
    assert "hint [mean_not_sum]" in printed
    assert "(1500, 28, 28) [5 5 5 5 5]" in printed


def test_both_tutorials_hold_the_same_code():
    assert python_blocks("tutorial.md") == python_blocks("tutorial.ko.md")


def test_the_korean_tutorial_uses_the_lectures_terms():
    text = (DOCS / "tutorial.ko.md").read_text(encoding="utf-8")
    for term in ("과적합", "역전파", "배치 정규화", "드롭아웃", "드롭 커넥트", "조기 종료", "가중치 감쇠", "데이터 증강"):
        assert term in text, term


@pytest.mark.parametrize("page", ["README.md", "docs/tutorial.md", "docs/tutorial.ko.md"])
def test_links_to_the_learning_material_resolve(page):
    path = DOCS.parent / page
    targets = re.findall(r"\]\(([^)#:]+)\)", path.read_text(encoding="utf-8"))   # relative links only
    assert targets
    for target in targets:
        assert (path.parent / target).exists(), f"{page} links to {target}, which does not exist"


def test_the_readme_points_to_every_piece():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for piece in ("docs/tutorial.md", "docs/tutorial.ko.md", "notebooks/lecture_lab.ipynb",
                  "python -m tinynet.exercises init", "## 한국어", "tn.accuracy(model, x_test, test_labels)"):
        assert piece in readme, piece
