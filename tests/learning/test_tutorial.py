"""docs/tutorial.md and docs/tutorial.ko.md: their Python blocks run as written, in order, and
every claim their prose makes about the numbers holds for the numbers the blocks compute.
Also what the README, the tutorials and the notebooks say in common: the same ten-seed
numbers, the bug hunt the exercises really write, the install the tutorial asks for."""
import ast
import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy  # noqa: F401  (loaded before threadpool_limits, so that the limit reaches its BLAS)
import pytest

from helpers import code_without_comments, untranslated_comments

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
NOTEBOOKS = ["notebooks/lecture_lab.ipynb", "notebooks/lecture_lab.ko.ipynb"]
LECTURE_TERMS = ("과적합", "역전파", "배치 정규화", "드롭아웃", "드롭 커넥트", "조기 종료", "가중치 감쇠",
                 "데이터 증강")


def python_blocks(name):
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), flags=re.S)


def notebook_text(name, cell_type):
    cells = json.loads((ROOT / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == cell_type)


def korean_readme_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## 한국어\n")
    return readme[start:readme.index("\n## ", start + 1)]


def test_the_tutorial_runs_as_written_and_its_prose_holds(capsys):
    """The English tutorial's blocks; the Korean one holds the same code (the next test), so
    running it too would check nothing more."""
    name = "tutorial.md"
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("MNIST not found: set TINYNET_DATA to a folder holding mnist/")
    blocks = python_blocks(name)
    assert len(blocks) >= 8
    ns = {}
    try:                                 # batch-10 products: threads only cost time
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except ImportError:
        limits = None
    try:
        for i, block in enumerate(blocks):
            exec(compile(block, f"{name}, python block {i + 1}", "exec"), ns)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    printed = capsys.readouterr().out
    # Section 1: "training accuracy is 1.0 and the test accuracy about three quarters".
    assert ns["train_accuracy"] == 1.0
    assert 0.7 < ns["test_accuracy"] < 0.8, ns["test_accuracy"]
    assert "hint [mean_not_sum]" in printed
    assert "(1500, 28, 28) [5 5 5 5 5]" in printed
    # Section 3: "more than ten points lower in eval mode than in training mode", "they even
    # misclassify some of the 300 training images", "worse than no BatchNorm at all", "the
    # BatchNorm that helps is one per layer", units switched in every layer.
    assert ns["shared_train_mode"] - ns["shared_eval_mode"] > 0.10
    assert ns["shared_on_its_training_images"] < 1.0
    assert ns["shared_eval_mode"] < ns["test_accuracy"] < ns["separate_eval_mode"]
    assert all(share > 0 for share in ns["switched"]) and len(ns["switched"]) == 4
    # batch_statistics put the running statistics back: eval mode scores as before.
    tn = ns["tn"]
    assert tn.accuracy(ns["shared"], ns["x_test"], ns["test_labels"]) == ns["shared_eval_mode"]
    # Section 6: "most weights end up smaller than one step of the pull, yet none is exactly 0".
    assert ns["exactly_zero"] == 0
    assert ns["below_one_step"] > ns["weights"].size / 2


def test_both_tutorials_hold_the_same_code():
    english, korean = python_blocks("tutorial.md"), python_blocks("tutorial.ko.md")
    assert len(english) == len(korean)
    for i, (en, ko) in enumerate(zip(english, korean)):
        assert code_without_comments(en) == code_without_comments(ko), f"python block {i + 1} differs"


def test_the_korean_tutorials_comments_are_in_korean():
    for i, block in enumerate(python_blocks("tutorial.ko.md")):
        assert untranslated_comments(block) == [], f"python block {i + 1}"


@pytest.mark.parametrize("text", ["tutorial.ko.md", "README"])
def test_korean_text_uses_the_lectures_terms(text):
    content = korean_readme_section() if text == "README" else (DOCS / text).read_text(encoding="utf-8")
    content = " ".join(content.split())          # a term may be wrapped across two lines
    for term in LECTURE_TERMS:
        assert term in content, term


@pytest.mark.parametrize("page", ["README.md", "docs/tutorial.md", "docs/tutorial.ko.md", *NOTEBOOKS])
def test_weight_decay_names_l2_only(page):
    """가중치 감쇠 / weight decay is the L2 penalty's other name, never L1's."""
    path = ROOT / page
    text = notebook_text(page, "markdown") if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
    for term in ("가중치 감쇠", "weight decay"):
        for match in re.finditer(term, text, flags=re.I):
            around = text[max(0, match.start() - 40):match.end() + 40]
            if "weight_decay" in around:          # PyTorch's argument, named as such
                continue
            assert "L2" in around, f"{page}: {term!r} without L2 nearby: ...{around}..."


@pytest.mark.parametrize("page", ["README.md", "docs/tutorial.md", "docs/tutorial.ko.md"])
def test_links_to_the_learning_material_resolve(page):
    path = ROOT / page
    targets = re.findall(r"\]\(([^)#:]+)\)", path.read_text(encoding="utf-8"))   # relative links only
    assert targets
    for target in targets:
        assert (path.parent / target).exists(), f"{page} links to {target}, which does not exist"


def test_the_readme_points_to_every_piece():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for piece in ("docs/tutorial.md", "docs/tutorial.ko.md", *NOTEBOOKS,
                  "python -m tinynet.exercises init", "## 한국어", "tn.accuracy(model, x_test, test_labels)"):
        assert piece in readme, piece
    korean = korean_readme_section()
    for piece in ("docs/tutorial.ko.md", "notebooks/lecture_lab.ko.ipynb", "--lang ko", "python -m tinynet.data download",
                  "TINYNET_DATA", "bughunt/"):
        assert piece in korean, piece


def test_the_ten_seed_numbers_are_the_same_everywhere():
    """The lab's numbers are quoted with their command; every page quotes the same ones."""
    pages = {page: (ROOT / page).read_text(encoding="utf-8")
             for page in ("README.md", "docs/tutorial.md", "docs/tutorial.ko.md")}
    pages.update({page: notebook_text(page, "markdown") for page in NOTEBOOKS})
    quoted = {page: set(re.findall(r"0\.\d\d ± 0\.\d\d", text)) for page, text in pages.items()}
    for page, text in pages.items():
        assert "python -m experiments batchnorm --seeds 10" in text, page
    assert len(set(map(frozenset, quoted.values()))) == 1, quoted


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace written by the command the pages tell students to run."""
    folder = tmp_path_factory.mktemp("exercises") / "my_exercises"
    subprocess.run([sys.executable, "-m", "tinynet.exercises", "init", str(folder)], check=True,
                   cwd=ROOT, capture_output=True)
    return folder


NUMBER_WORDS = {"en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                       "eleven", "twelve"],
                "ko": ["영", "하나", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두"]}


@pytest.mark.parametrize("page, lang", [("README.md", "en"), ("README.md", "ko"),
                                        ("docs/tutorial.md", "en"), ("docs/tutorial.ko.md", "ko")])
def test_the_bug_hunt_is_described_as_the_exercises_write_it(workspace, page, lang):
    text = korean_readme_section() if (page, lang) == ("README.md", "ko") else (ROOT / page).read_text(
        encoding="utf-8")
    if page == "README.md" and lang == "en":
        text = text[:text.index("## 한국어\n")]
    [paragraph] = [p for p in text.split("\n\n") if "bughunt/" in p and ("classic bug" in p or "흔한 실수" in p)]
    files = sorted(f for f in (workspace / "bughunt").glob("*.py")
                   if not f.name.startswith("test_") and f.name != "conftest.py")
    # what each file defines first: a layer's class, or an update rule's or a formula's function
    classes = {re.search(r"^(?:class|def) (\w+)", f.read_text(encoding="utf-8"), flags=re.M).group(1)
               for f in files}
    assert files and classes
    for name in classes:
        assert f"`{name}`" in paragraph, f"{page} ({lang}): the bug hunt's {name} is not described"
    assert NUMBER_WORDS[lang][len(files)] in paragraph, f"{page} ({lang}) miscounts the {len(files)} files"


def test_the_lab_install_holds_what_the_tutorial_and_notebooks_need():
    """The tutorial asks for `pip install -e ".[lab]"`: its code and the notebooks' import only
    NumPy, tinynet and the standard library, and the lab extra grades the exercises (pytest,
    hypothesis) and runs the notebooks (a kernel, nbclient, nbformat). That it holds no
    PyTorch is tests/core/test_packaging.py's check."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lab = {re.split(r"[<>=!\[ ]", line.strip())[0].lower()
           for line in config["options.extras_require"]["lab"].splitlines() if line.strip()}
    assert {"pytest", "hypothesis", "ipykernel", "nbclient", "nbformat"} <= lab
    assert 'pip install -e ".[lab]"' in (DOCS / "tutorial.md").read_text(encoding="utf-8")
    sources = python_blocks("tutorial.md") + [notebook_text(page, "code") for page in NOTEBOOKS]
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                for module in modules:
                    top = module.split(".")[0]
                    assert top in {"numpy", "tinynet"} or top in sys.stdlib_module_names, module
