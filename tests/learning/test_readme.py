"""The README's code examples run as written."""
import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_lecture_model_example_trains(capsys):
    root = os.environ.get("TINYNET_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("MNIST not found: set TINYNET_DATA to a folder holding mnist/")
    [example] = [block for block in python_blocks() if "class MLP" in block]
    namespace = {}
    exec(compile(example, "README.md", "exec"), namespace)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 100 and lines[0].startswith("Epoch: 1 Loss = ")
    assert float(lines[-1].split("=")[1]) < 0.1            # it learned the 300 images
    model = namespace["model"]
    assert model.training is False                          # ends in eval mode, as written
    # The number the README states, in the code's comment and in the prose after it, is the
    # one the code computes.
    stated = {re.search(r"# eval mode: (0\.\d\d)", example).group(1),
              re.search(r"\*\*Why (0\.\d\d) when the lecture", README.read_text()).group(1)}
    assert stated == {f"{namespace['test_accuracy']:.2f}"}, stated
    # "Not overfitting": the same weights, run in training mode as the lecture evaluated them
    # (each layer normalised with its own statistics), score well above eval mode.
    tn, x_test, y_test = namespace["tn"], namespace["x_test"], namespace["test_labels"]
    model.train()
    with tn.no_grad():
        train_mode = float((model(x_test).argmax(axis=1) == y_test).mean())
    assert train_mode > namespace["test_accuracy"] + 0.05, (train_mode, namespace["test_accuracy"])


def test_the_gradcheck_example_prints_tiny_errors(capsys):
    [example] = [block for block in python_blocks() if "check_layer" in block]
    exec(compile(example, "README.md", "exec"), {})
    errors = eval(capsys.readouterr().out)                   # the printed dict
    assert set(errors) == {"x", "weight", "bias"} and max(errors.values()) < 1e-9
