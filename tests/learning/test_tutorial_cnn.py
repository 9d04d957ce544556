"""docs/tutorial_cnn.md and docs/tutorial_cnn.ko.md: their Python blocks run as written, in
order, and every claim their prose makes about what the blocks print or compute holds."""
import os
import re
from pathlib import Path

import numpy as np
import pytest

from helpers import code_without_comments, untranslated_comments

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = ("tutorial_cnn.md", "tutorial_cnn.ko.md")


def python_blocks(name):
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def chapter():
    """The English chapter run once: (its namespace, what it printed, block by block)."""
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("MNIST not found: set TINYNET_DATA to a folder holding mnist/")
    import contextlib
    import io
    ns, printed = {}, []
    try:                                 # batch-10 products: threads only cost time
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except ImportError:
        limits = None
    try:
        for i, block in enumerate(python_blocks("tutorial_cnn.md")):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, f"tutorial_cnn.md, python block {i + 1}", "exec"), ns)
            printed.append(out.getvalue())
    finally:
        if limits is not None:
            limits.restore_original_limits()
    return ns, printed


def test_the_tiny_im2col_example_prints_what_the_prose_reads_off_it(chapter):
    _, printed = chapter
    first = printed[0]
    # "the first column is the window at (0, 0), [[1, 2], [4, 5]] ... the second [[2, 3], [5, 6]]"
    # and "pixel 5 lies in all four windows, so it appears four times"
    columns = np.array([[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]], dtype=float)
    assert str(columns) in first
    assert np.sum(columns == 5) == 4
    # "with padding 1 ... 16 windows; with stride 2 only 2 x 2 of them"
    assert printed[1].startswith("(1, 4, 16)\n")
    assert str(np.array([[0, 0, 0, 5], [0, 0, 4, 6], [0, 2, 0, 8], [1, 3, 7, 9]], dtype=float)) in printed[1]
    # "the centre pixel 5 counts 4, the corners 1"
    assert str(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float)) in printed[2]
    left, right = printed[3].split()
    assert left == right


def test_the_convolution_and_its_backward_are_the_layers(chapter):
    ns, printed = chapter
    assert printed[4] == "(4, 18, 16) (3, 18) (4, 3, 16) (4, 3, 4, 4)\n"
    conv = ns["conv"]
    assert conv.kernel_size == (3, 3) and conv.stride == (2, 2) and conv.padding == (1, 1)
    # "X[n] G[n]^T holds the same numbers transposed ... NumPy would reshape it into W's shape
    # without a word": the wrong layout reshapes, and gives another array.
    X, Gm, W, dWm = ns["X"], ns["Gm"], ns["W"], ns["dWm"]
    transposed = (X @ Gm.transpose(0, 2, 1)).sum(axis=0)
    assert transposed.shape == (18, 3) and transposed.reshape(W.shape).shape == W.shape
    assert not np.allclose(transposed.reshape(W.shape), dWm.reshape(W.shape))
    assert np.allclose(transposed.T, dWm)


def test_max_pooling_routes_a_tie_to_the_first_maximum_as_torch_does(chapter):
    _, printed = chapter
    expected = np.array([[0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=float)
    assert str(np.array([[3, 0], [8, 4]], dtype=float)) in printed[6]
    assert str(expected) in printed[6]
    torch = pytest.importorskip("torch")
    block = python_blocks("tutorial_cnn.md")[6]
    image = eval(block[block.index("np.array("):block.index("y, cache")].strip(), {"np": np})
    x = torch.tensor(image, requires_grad=True)
    torch.nn.functional.max_pool2d(x, 2).sum().backward()
    assert np.array_equal(x.grad.numpy()[0, 0], expected)


def test_the_gradchecks_pass_and_are_printed(chapter):
    _, printed = chapter
    assert printed[7].startswith("gradcheck Conv2d: OK") and "gradcheck MaxPool2d: OK" in printed[7]


def test_the_small_cnn_claims_hold(chapter):
    ns, printed = chapter
    results = ns["results"]
    (mlp_size, mlp_train, mlp_test), (cnn_size, cnn_train, cnn_test) = results["MLP"], results["CNN"]
    # "Both training accuracies are 1.0."
    assert mlp_train == 1.0 and cnn_train == 1.0
    # "The CNN is right on more of the test images, after a tenth of the epochs."
    assert cnn_test > mlp_test, results
    # "about four times as many parameters as the MLP, nearly all of them in its hidden Linear layer"
    assert 3.5 < cnn_size / mlp_size < 4.5
    hidden = ns["cnn"][4]
    assert hidden.weight.data.shape == (100, 30 * 12 * 12)
    assert (hidden.weight.data.size + hidden.bias.data.size) / cnn_size > 0.99
    # "30 feature maps of 24 x 24 ... the same 25 weights are used at all 576 positions"
    conv = ns["cnn"][0]
    assert conv.weight.data.shape == (30, 1, 5, 5)
    assert conv(ns["x_train"][:1]).shape == (1, 30, 24, 24) and 24 * 24 == 576
    # the printed lines are the numbers the claims are about
    assert printed[-1].splitlines() == [
        f"{name}: {size:6d} parameters, train accuracy {train:.3f}, test accuracy {test:.3f}"
        for name, (size, train, test) in results.items()]
    assert len(ns["x_test"]) == 2000 and ns["images"].shape == (300, 1, 28, 28)


def test_both_pages_hold_the_same_code():
    english, korean = python_blocks(PAGES[0]), python_blocks(PAGES[1])
    assert len(english) == len(korean) >= 9
    for i, (en, ko) in enumerate(zip(english, korean)):
        assert code_without_comments(en) == code_without_comments(ko), f"python block {i + 1} differs"


def test_the_korean_pages_comments_are_in_korean():
    for i, block in enumerate(python_blocks(PAGES[1])):
        assert untranslated_comments(block) == [], f"python block {i + 1}"


@pytest.mark.parametrize("page", ["README.md", "docs/tutorial.md", "docs/tutorial.ko.md",
                                  "docs/tutorial_cnn.md", "docs/tutorial_cnn.ko.md"])
def test_the_chapter_is_linked_and_its_links_resolve(page):
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#:]+)\)", text)
    for target in targets:
        assert (path.parent / target).exists(), f"{page} links to {target}, which does not exist"
    own = {"README.md": ["docs/tutorial_cnn.md", "docs/tutorial_cnn.ko.md"],
           "docs/tutorial.md": ["tutorial_cnn.md"], "docs/tutorial.ko.md": ["tutorial_cnn.ko.md"],
           "docs/tutorial_cnn.md": ["tutorial_cnn.ko.md", "tutorial.md"],
           "docs/tutorial_cnn.ko.md": ["tutorial_cnn.md", "tutorial.ko.md"]}[page]
    assert set(own) <= set(targets), (page, targets)


def test_the_exercises_the_chapter_names_exist():
    from tinynet.exercises import BUGS, EXERCISES
    for page in PAGES:
        text = (DOCS / page).read_text(encoding="utf-8")
        for command in re.findall(r"pytest my_exercises/test_exercises.py::test_(\w+)", text):
            assert command in {e.name for e in EXERCISES}, (page, command)
        for name in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            assert f"`{name}`" in text.split("## 7.")[1]
            assert any(b.check.name == name for b in BUGS), name
