"""What the grader catches beyond one gradcheck: a layer called several times
before one backward, the command each file prints, and Korean end to end."""
import re
import shlex

import pytest

from exercise_workspaces import HANGUL, collect_each, run_cli, run_pytest
from tinynet.exercises import BUGS, EXERCISES, init_workspace
from tinynet.exercises import grader

OVERWRITTEN_EN = ("linear.py: the gradient of {param} was overwritten, not accumulated. When one {cls} is "
                  "called {calls} times before one backward, {param}.grad must be the sum of every call's "
                  "gradient, but {cls}.backward replaced what the earlier backward calls had put there. Add the "
                  "gradient with self.{param}.accumulate_grad(g), not self.{param}.grad = g.")
OVERWRITTEN_KO = "{param}의 기울기가 누적되지 않고 덮어쓰였습니다"
STATE_EN = ("{cls}.backward gives other gradients when {cls} was called again before it: it reads something "
            "forward stored on self (such as self.x), which the later call replaced.")


def solved(tmp_path, lang="en"):
    directory = tmp_path / f"ws_{lang}"
    init_workspace(directory, solutions=True, lang=lang)
    return directory


def plant(path, *edits):
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, (old, path)
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


# -- a layer called several times before one backward ------------------------------

@pytest.mark.parametrize("name, param, calls, line", [
    ("linear", "weight", 2, "self.weight.accumulate_grad(dout.T @ x)"),
    ("linear", "bias", 2, "self.bias.accumulate_grad(dout.sum(axis=0))"),
    ("batchnorm", "weight", 4, "self.weight.accumulate_grad((dout * xhat).sum(axis=0))"),
    ("batchnorm", "bias", 4, "self.bias.accumulate_grad(dout.sum(axis=0))"),
    ("conv2d", "weight", 2, "self.weight.accumulate_grad(dWm.reshape(self.weight.data.shape))"),
    ("conv2d", "bias", 2, "self.bias.accumulate_grad(G.sum(axis=(0, 2)))"),
])
def test_an_overwritten_parameter_gradient_is_named(name, param, calls, line, tmp_path):
    directory = solved(tmp_path)
    # p.grad = g passes a single gradcheck: the gradient starts at None.
    plant(directory / f"{name}.py", (line, line.replace(f"self.{param}.accumulate_grad(", f"self.{param}.grad = (")))
    report = grader.check(directory, name)
    assert not report.ok and report.findings == ("overwritten",), report.message
    cls = next(p.check.name for p in EXERCISES if p.name == name)
    expected = OVERWRITTEN_EN.format(param=param, cls=cls, calls=calls).replace("linear.py", f"{name}.py")
    assert report.message.startswith(expected + "\n"), report.message
    assert report.results[0].ok and not report.results[1].ok     # alone it passes; shared it does not
    other = {"weight": "bias", "bias": "weight"}[param]
    assert f"gradient of {other}" not in report.message

    korean = grader.check(directory, name, lang="ko")
    assert korean.message.startswith(f"{name}.py: " + OVERWRITTEN_KO.format(param=param)), korean.message
    assert "overwritten" not in korean.message.split("\ngradcheck")[0]


@pytest.mark.parametrize("name, edits", [
    ("relu", [("        return x * mask, mask", "        self.mask = mask\n        return x * mask, mask"),
              ("        mask = cache\n", "        mask = self.mask\n")]),
    ("linear", [("        return out, x ", "        self.x = x\n        return out, x "),
                ("        x = cache\n", "        x = self.x\n")]),
    ("dropout", [("        return x * mask, mask", "        self.mask = mask\n        return x * mask, mask"),
                 ("        mask = cache\n", "        mask = self.mask\n")]),
    ("maxpool", [("        return out.reshape(N, C, Ho, Wo), (x.shape, arg)",
                  "        self.arg = arg\n        return out.reshape(N, C, Ho, Wo), (x.shape, arg)"),
                 ("        x_shape, arg = cache\n", "        x_shape, arg = cache[0], self.arg\n")]),
])
def test_a_backward_that_reads_state_from_self_is_named(name, edits, tmp_path):
    directory = solved(tmp_path)
    plant(directory / f"{name}.py", *edits)
    report = grader.check(directory, name)
    cls = next(p.check.name for p in EXERCISES if p.name == name)
    assert not report.ok and report.findings == ("state_on_self",), report.message
    assert report.message.startswith(f"{name}.py: " + STATE_EN.format(cls=cls)), report.message
    assert report.results[0].ok                                  # one call alone cannot see it


def test_a_reused_gradient_buffer_fails_only_when_the_layer_is_shared(tmp_path):
    """accumulate_grad keeps the array it is given: a buffer reused by the next
    backward changes the stored gradient. Neither probe names it, so the grader
    says what fails and shows gradcheck's report of the shared model."""
    directory = solved(tmp_path)
    plant(directory / "linear.py",
          ("        self.bias = Parameter(", "        self.dW = np.zeros((out_features, in_features))\n"
                                            "        self.bias = Parameter("),
          ("self.weight.accumulate_grad(dout.T @ x)", "self.weight.accumulate_grad(np.matmul(dout.T, x, out=self.dW))"))
    report = grader.check(directory, "linear")
    assert not report.ok and report.findings == (), report.message
    assert report.message.startswith(
        "linear.py: Linear passes gradcheck when called once, but not when one Linear is called 2 times "
        "before one backward"), report.message
    assert "gradcheck SharedLayer: FAILED for layer.weight" in report.message


def test_adding_to_a_gradient_that_is_still_none_gets_a_hint(tmp_path):
    directory = solved(tmp_path)
    plant(directory / "batchnorm.py",
          ("self.bias.accumulate_grad(dout.sum(axis=0))", "self.bias.grad += dout.sum(axis=0)"))
    with pytest.raises(grader.GradingError) as caught:
        grader.check(directory, "batchnorm")
    message = str(caught.value)
    assert message.startswith("batchnorm.py: BatchNorm1d raised TypeError: unsupported operand"), message
    assert "(line " in message and ": self.bias.grad += dout.sum(axis=0)" in message
    assert message.endswith("(a parameter's .grad is None until its first gradient arrives: add gradients "
                            "with param.accumulate_grad(g))")


# -- the command each file prints ----------------------------------------------

def printed_command(path):
    """The command after "Grade it:" in the file's docstring."""
    [line] = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("Grade it")]
    return line.split(": ", 1)[1]


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory):
    """A folder where a student ran `init my_exercises` (a relative path) and `init answers --solutions`."""
    folder = tmp_path_factory.mktemp("student")
    assert run_cli("init", "my exercises", "--lang", "en", cwd=folder).returncode == 0   # a space to quote
    assert run_cli("init", "answers", "--solutions", "--lang", "en", cwd=folder).returncode == 0
    return folder


def test_each_printed_command_selects_exactly_its_test(student_folder):
    problems = EXERCISES + BUGS
    commands = [printed_command(student_folder / "my exercises" / p.file) for p in problems]
    for command in commands:
        assert command.startswith("pytest 'my exercises/"), command      # quoted: the folder has a space
    # node ids are relative to the workspace (its pytest.ini makes it pytest's rootdir)
    expected = [(0, [f"{p.tests}::test_{p.name}"]) for p in problems]
    assert collect_each(commands, cwd=student_folder) == expected


def test_a_correct_exercise_graded_by_its_command_shows_one_pass(student_folder):
    linear = next(p for p in EXERCISES if p.name == "linear")
    command = printed_command(student_folder / "answers" / linear.file)
    code, _, output = run_pytest(*shlex.split(command)[1:], cwd=student_folder)
    assert code == 0 and re.search(r"\b1 passed\b", output) and "failed" not in output, output


# -- Korean end to end -----------------------------------------------------------

def test_a_korean_workspace_sets_the_language_for_every_test(tmp_path):
    """conftest.py sets $TINYNET_LANG (gradcheck reads it) in the workspace and in bughunt/,
    wherever pytest starts; the grader's messages are then Korean only."""
    directory = solved(tmp_path, lang="ko")
    plant(directory / "linear.py", ("self.weight.accumulate_grad(dout.T @ x)", "self.weight.grad = dout.T @ x"))
    probe = "import os\n\n\ndef test_language():\n    assert os.environ['TINYNET_LANG'] == 'ko'\n"
    (directory / "bughunt" / "test_language_probe.py").write_text(probe)

    code, outcomes, output = run_pytest("test_language_probe.py", cwd=directory / "bughunt",
                                        report=tmp_path / "probe.xml")
    assert code == 0 and list(outcomes.values()) == [("passed", "")], output

    code, outcomes, output = run_pytest("test_exercises.py::test_linear", cwd=directory,
                                        report=tmp_path / "linear.xml")
    [(outcome, message)] = outcomes.values()
    assert outcome == "failure", output
    grader_part = message.split("\ngradcheck")[0]
    assert grader_part.startswith("linear.py: " + OVERWRITTEN_KO.format(param="weight")), message
    assert "overwritten" not in grader_part and HANGUL.search(grader_part)


def test_blank_korean_files_raise_korean_messages(tmp_path):
    init_workspace(tmp_path, lang="ko")
    with pytest.raises(grader.GradingError) as caught:
        grader.check(tmp_path, "batchnorm")
    assert "배치 정규화의 역전파" in str(caught.value) and "not written" not in str(caught.value)
