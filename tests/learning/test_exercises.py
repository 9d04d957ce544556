"""`python -m tinynet.exercises init DIR` and the grader it writes (issue 9, item 5).

The grader is run the way a student runs it: `pytest DIR` in a subprocess,
its per-test outcomes read from a JUnit XML report.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinynet.exercises import BUGS, EXERCISES, init_workspace
from tinynet.exercises import grader

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[\uac00-\ud7a3]")


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "tinynet.exercises", *map(str, args)],
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=120)


def run_grader(directory, tmp_path):
    """pytest DIR in a subprocess -> (return code, {test name: (outcome, message)}, output)."""
    report = tmp_path / f"report-{directory.name}.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", str(directory), "-q", "-p", "no:cacheprovider",
                           f"--junitxml={report}"],
                          capture_output=True, text=True, env=_env(), cwd=directory, timeout=300)
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        children = {child.tag: child for child in case}
        outcome = next((tag for tag in ("failure", "error", "skipped") if tag in children), "passed")
        message = children[outcome].text or children[outcome].get("message", "") if outcome != "passed" else ""
        outcomes[case.get("name")] = (outcome, message)
    return proc.returncode, outcomes, proc.stdout + proc.stderr


def all_test_names():
    return {f"test_{e.name}" for e in EXERCISES} | {f"test_bughunt_{b.name}" for b in BUGS}


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    directory = tmp_path_factory.mktemp("blank")
    init_workspace(directory)
    return directory


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    directory = tmp_path_factory.mktemp("solutions")
    init_workspace(directory, solutions=True)
    return directory


def test_the_required_exercises_are_there():
    assert {e.cls for e in EXERCISES} >= {"Linear", "ReLU", "Sigmoid", "BatchNorm1d", "Dropout",
                                          "SoftmaxCrossEntropy", "L2Penalty"}
    assert {b.kind for b in BUGS} >= {"scale", "sign", "transpose", "zeros", "mean_not_sum", "none"}


# -- the grader on a blank and on a solved workspace -------------------------------

def test_a_blank_workspace_fails_every_exercise_saying_what_is_missing(blank, tmp_path):
    code, outcomes, output = run_grader(blank, tmp_path)
    assert code == 1, output                               # tests failed; no usage or internal error
    assert set(outcomes) == all_test_names(), output       # every test collected, none crashed
    for e in EXERCISES:
        outcome, message = outcomes[f"test_{e.name}"]
        assert outcome == "failure", (e.name, outcome, message)
        assert f"{e.name}.py: {e.missing_en}" in message and e.missing_ko in message
    for b in BUGS:
        outcome, message = outcomes[f"test_bughunt_{b.name}"]
        assert outcome == "failure", (b.name, outcome, message)
        assert f"bughunt/{b.name}.py" in message
        assert f"[{b.kind}]" in message                      # gradcheck's hint, shown to the student
        assert "Traceback" not in message


def test_the_reference_solutions_pass(solutions, tmp_path):
    code, outcomes, output = run_grader(solutions, tmp_path)
    assert code == 0, output
    assert outcomes == {name: ("passed", "") for name in all_test_names()}


def test_a_broken_file_fails_its_own_exercise_only(tmp_path):
    directory = tmp_path / "ws"
    init_workspace(directory, solutions=True)
    relu = directory / "relu.py"
    relu.write_text(relu.read_text().replace("return dout * mask", "return dout * mask)"))
    sigmoid = directory / "sigmoid.py"
    sigmoid.write_text(sigmoid.read_text().replace("class Sigmoid(", "class MySigmoid("))
    linear = directory / "linear.py"
    linear.write_text(linear.read_text().replace("return dout @ self.weight.data", "return dout @ x"))
    dropout = directory / "dropout.py"
    dropout.write_text(dropout.read_text().replace("return dout * mask", "return dout * mask / 0 + {}"))

    code, outcomes, output = run_grader(directory, tmp_path)
    assert code == 1 and set(outcomes) == all_test_names(), output
    failed = {name: message for name, (outcome, message) in outcomes.items() if outcome != "passed"}
    assert set(failed) == {"test_relu", "test_sigmoid", "test_linear", "test_dropout"}, output
    assert "relu.py does not import: SyntaxError" in failed["test_relu"]
    assert "sigmoid.py no longer defines class Sigmoid" in failed["test_sigmoid"]
    assert "linear.py: Linear raised ValueError" in failed["test_linear"]       # (5,3) @ (5,4)
    assert "line " in failed["test_linear"] and "return dout @ x" in failed["test_linear"]
    assert "dropout.py: Dropout raised TypeError" in failed["test_dropout"]


# -- the bug hunt ----------------------------------------------------------------

def _kinds(result, tensor):
    """The C3 hint kinds gradcheck reports for one tensor."""
    return {hint.kind for hint in result.hints if hint.tensor == tensor}


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_each_planted_bug_is_caught_with_the_matching_hint(bug, blank, solutions):
    result = grader.check(blank, bug.name, bughunt=True)
    assert not grader.passed(result)
    assert bug.kind in _kinds(result, bug.tensor), str(result)
    assert grader.passed(grader.check(solutions, bug.name, bughunt=True))


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.name for e in EXERCISES])
def test_each_solution_passes_gradcheck_in_process(exercise, blank, solutions):
    with pytest.raises(grader.GradingError, match=re.escape(exercise.missing_en)):
        grader.check(blank, exercise.name)
    assert grader.passed(grader.check(solutions, exercise.name))


# -- the command line ------------------------------------------------------------

def test_init_writes_a_workspace_and_says_what_to_do_next(tmp_path):
    directory = tmp_path / "new" / "ws"
    proc = run_cli("init", directory)
    assert proc.returncode == 0, proc.stderr
    assert f"pytest {directory}" in proc.stdout
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert names == ({"README.md", "conftest.py", "test_workspace.py"}
                     | {f"{e.name}.py" for e in EXERCISES} | {f"bughunt/{b.name}.py" for b in BUGS})


def test_init_refuses_a_non_empty_folder_and_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("my notes")
    proc = run_cli("init", tmp_path)
    assert proc.returncode == 2
    assert "is not empty" in proc.stderr and "--force" in proc.stderr and "notes.txt" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_force_keeps_every_replaced_file(tmp_path):
    assert run_cli("init", tmp_path).returncode == 0
    linear = tmp_path / "linear.py"
    my_work = linear.read_text().replace("raise NotImplementedError(", "raise RuntimeError(")
    linear.write_text(my_work)
    (tmp_path / "notes.txt").write_text("my notes")

    proc = run_cli("init", tmp_path, "--force", "--solutions")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "linear.py.bak").read_text() == my_work
    assert "linear.py.bak" in proc.stdout
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    assert "NotImplementedError" not in linear.read_text()          # now the solution

    assert run_cli("init", tmp_path, "--force").returncode == 0     # a second backup, not an overwrite
    assert (tmp_path / "linear.py.bak").read_text() == my_work
    assert "NotImplementedError" not in (tmp_path / "linear.py.bak2").read_text()


@pytest.mark.parametrize("args, expected", [
    (["init"], "the following arguments are required: DIR"),
    ([], "the following arguments are required: COMMAND"),
    (["grade", "x"], "invalid choice: 'grade'"),
    (["init", "{tmp}", "--lang", "fr"], "invalid choice: 'fr'"),
    (["init", "{tmp}/file.txt"], "is a file, not a folder"),
])
def test_argument_errors_are_refused_clearly(args, expected, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    proc = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_the_library_call_refuses_an_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        init_workspace(tmp_path / "ws", lang="fr")
    assert not (tmp_path / "ws").exists()


# -- languages -----------------------------------------------------------------

def test_korean_statements_use_the_lectures_terms(tmp_path):
    init_workspace(tmp_path, lang="ko")
    text = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.py")}
    assert "배치 정규화" in text["batchnorm.py"] and "드롭아웃" in text["dropout.py"]
    assert "가중치 감쇠" in text["l2_penalty.py"] and "역전파" in text["linear.py"]
    for e in EXERCISES:
        assert e.missing_ko in text[f"{e.name}.py"] and e.missing_en not in text[f"{e.name}.py"]
        assert e.statement_en.splitlines()[0] not in text[f"{e.name}.py"]
    assert "역전파" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_english_workspace_has_no_korean(tmp_path):
    init_workspace(tmp_path, lang="en")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not HANGUL.search(path.read_text(encoding="utf-8")), path


def test_korean_workspace_is_graded_with_korean_messages(tmp_path):
    init_workspace(tmp_path, lang="ko")
    with pytest.raises(grader.GradingError) as caught:
        grader.check(tmp_path, "batchnorm")
    assert "배치 정규화의 역전파" in str(caught.value)


def test_the_graders_own_messages_follow_the_language(tmp_path):
    for lang in ("en", "ko"):
        directory = tmp_path / lang
        init_workspace(directory, solutions=True, lang=lang)
        relu = directory / "relu.py"
        relu.write_text(relu.read_text(encoding="utf-8").replace("return dout * mask", "return dout * mask)"),
                        encoding="utf-8")
        with pytest.raises(grader.GradingError) as caught:
            grader.check(directory, "relu", lang=lang)
        message = str(caught.value)
        assert "SyntaxError" in message
        assert bool(HANGUL.search(message)) == (lang == "ko"), message
        assert ("does not import" in message) == (lang == "en"), message


def test_the_workspace_readme_states_every_exercise(tmp_path):
    init_workspace(tmp_path, lang="both")
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    for e in EXERCISES:
        assert e.statement_en.splitlines()[0] in readme and e.statement_ko.splitlines()[0] in readme
    for b in BUGS:
        assert f"bughunt/{b.name}.py" in readme


def test_force_refuses_before_writing_anything_when_a_needed_folder_is_a_file(tmp_path):
    (tmp_path / "bughunt").write_text("my file named bughunt")
    proc = run_cli("init", tmp_path, "--force")
    assert proc.returncode == 2 and "bughunt is a file" in proc.stderr, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["bughunt"]
    assert (tmp_path / "bughunt").read_text() == "my file named bughunt"
