"""`python -m tinynet.exercises init DIR` and the grader it writes, run as a student runs them.

The grader is run in a subprocess (`pytest DIR`), its per-test outcomes
read from a JUnit XML report; the command line in a subprocess too.
"""
import os
import shutil

import pytest

from exercise_workspaces import HANGUL, ROOT, run_cli, run_pytest
from tinynet.exercises import BUGS, EXERCISES, init_workspace
from tinynet.exercises import grader


def all_test_ids():
    return {f"{p.tests}::test_{p.name}" for p in EXERCISES + BUGS}


def workspace_names():
    return ({"README.md", "conftest.py", "pytest.ini", "test_exercises.py", "bughunt/test_bughunt.py"}
            | {p.file for p in EXERCISES + BUGS})


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
    assert {p.check.name for p in EXERCISES} >= {"Linear", "ReLU", "Sigmoid", "BatchNorm1d", "Dropout",
                                                 "SoftmaxCrossEntropy", "L2Penalty"}
    assert {b.definition.kind for b in BUGS} >= {"scale", "sign", "transpose", "zeros", "mean_not_sum", "none"}


# -- the grader on a blank and on a solved workspace -------------------------------

def test_a_blank_workspace_fails_every_exercise_saying_what_is_missing(blank, tmp_path):
    code, outcomes, output = run_pytest(blank, cwd=blank, report=tmp_path / "report.xml")
    assert code == 1, output                               # tests failed; no usage or internal error
    assert set(outcomes) == all_test_ids(), output             # every test collected, none crashed
    for e in EXERCISES:
        outcome, message = outcomes[f"test_exercises.py::test_{e.name}"]
        assert outcome == "failure", (e.name, outcome, message)
        assert f"{e.file}: {e.definition.missing.en}" in message and e.definition.missing.ko in message
    for b in BUGS:
        outcome, message = outcomes[f"bughunt/test_bughunt.py::test_{b.name}"]
        assert outcome == "failure", (b.name, outcome, message)
        assert f"bughunt/{b.name}.py" in message
        assert f"[{b.definition.kind}]" in message           # gradcheck's hint, shown to the student
        assert "Traceback" not in message


def test_the_exercises_run_before_the_bug_hunt(blank, tmp_path):
    code, _, output = run_pytest(blank, "--collect-only", cwd=blank)
    order = [line for line in output.splitlines() if "::test_" in line]
    assert [line.split("::")[1] for line in order] == [f"test_{p.name}" for p in EXERCISES + BUGS], output


def test_the_reference_solutions_pass(solutions, tmp_path):
    code, outcomes, output = run_pytest(solutions, cwd=solutions, report=tmp_path / "report.xml")
    assert code == 0, output
    assert outcomes == {name: ("passed", "") for name in all_test_ids()}


def test_a_broken_file_fails_its_own_exercise_only(tmp_path):
    directory = tmp_path / "ws"
    init_workspace(directory, solutions=True, lang="en")
    edits = {"relu.py": ("return dout * mask", "return dout * mask)"),
             "sigmoid.py": ("class Sigmoid(", "class MySigmoid("),
             "linear.py": ("return dout @ self.weight.data", "return dout @ x"),
             "dropout.py": ("return dout * mask", "return dout * mask / 0 + {}")}
    for name, (old, new) in edits.items():
        path = directory / name
        path.write_text(path.read_text().replace(old, new))

    code, outcomes, output = run_pytest(directory, cwd=directory, report=tmp_path / "report.xml")
    assert code == 1 and set(outcomes) == all_test_ids(), output
    failed = {name.split("::")[1]: message for name, (outcome, message) in outcomes.items() if outcome != "passed"}
    assert set(failed) == {"test_relu", "test_sigmoid", "test_linear", "test_dropout"}, output
    assert "relu.py does not import: SyntaxError" in failed["test_relu"]
    assert "sigmoid.py no longer defines Sigmoid" in failed["test_sigmoid"]
    assert "linear.py: Linear raised ValueError" in failed["test_linear"]       # (5,3) @ (5,4)
    assert "line " in failed["test_linear"] and "return dout @ x" in failed["test_linear"]
    assert "dropout.py: Dropout raised TypeError" in failed["test_dropout"]


def test_a_deleted_file_is_reported_by_name(tmp_path):
    init_workspace(tmp_path, lang="en")
    (tmp_path / "sigmoid.py").unlink()
    with pytest.raises(grader.GradingError, match="sigmoid.py is missing: run `python -m tinynet.exercises init"):
        grader.check(tmp_path, "sigmoid")


# -- the command line ------------------------------------------------------------

def test_init_writes_a_workspace_and_says_what_to_do_next(tmp_path):
    directory = tmp_path / "ws"
    proc = run_cli("init", directory, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert f"pytest {directory}" in proc.stdout
    assert f"Wrote {len(EXERCISES)} exercises and {len(BUGS)} bug-hunt files" in proc.stdout
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert names == workspace_names()


def test_init_speaks_the_workspaces_language(tmp_path):
    proc = run_cli("init", tmp_path / "ws", "--lang", "ko")
    assert proc.returncode == 0, proc.stderr
    assert f"연습 문제 {len(EXERCISES)}개와 버그 찾기 파일 {len(BUGS)}개를 썼습니다" in proc.stdout
    assert "Wrote" not in proc.stdout and "README.md를 읽고" in proc.stdout


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
])
def test_usage_errors_are_refused_by_argparse(args, expected, tmp_path):
    proc = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert proc.returncode == 2 and expected in proc.stderr and "usage:" in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path, expected", [
    ("{tmp}/file.txt", "{tmp}/file.txt is a file, not a folder: choose a new folder name"),
    ("{tmp}/file.txt/ws", "{tmp}/file.txt is a file, not a folder, so {tmp}/file.txt/ws cannot be created there"),
    ("{tmp}/missing/ws", "cannot create {tmp}/missing/ws: the folder {tmp}/missing does not exist "
                         "(check the path, or create that folder first)"),
])
def test_a_folder_that_cannot_be_made_is_refused_in_one_line(path, expected, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    proc = run_cli("init", path.format(tmp=tmp_path), "--lang", "en")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"python -m tinynet.exercises init: error: {expected.format(tmp=tmp_path)}\n"
    both = run_cli("init", path.format(tmp=tmp_path))                 # the default: both languages
    assert both.returncode == 2 and both.stderr.count("\n") == 1 and " / " in both.stderr, both.stderr
    assert HANGUL.search(both.stderr) and "Traceback" not in both.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def _without_write_permission():
    """The prefix that runs a command without the right to write into a read-only folder.

    root ignores permission bits; without the capability CAP_DAC_OVERRIDE it obeys them.
    """
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, and setpriv (to drop root's override of permissions) is missing")
    return ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")


@pytest.mark.parametrize("target", [".", "ws"])
def test_init_into_a_read_only_folder_names_it_and_exits_2(target, tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        proc = run_cli("init", folder / target, "--lang", "en", prefix=_without_write_permission())
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == (f"python -m tinynet.exercises init: error: cannot write into {folder}: "
                               "Permission denied; choose a folder you can write to\n")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_the_library_call_refuses_an_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        init_workspace(tmp_path / "ws", lang="fr")
    assert not (tmp_path / "ws").exists()


def test_force_refuses_before_writing_anything_when_a_needed_folder_is_a_file(tmp_path):
    (tmp_path / "bughunt").write_text("my file named bughunt")
    proc = run_cli("init", tmp_path, "--force")
    assert proc.returncode == 2 and "bughunt is a file" in proc.stderr, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["bughunt"]
    assert (tmp_path / "bughunt").read_text() == "my file named bughunt"


# -- languages -----------------------------------------------------------------

def test_korean_statements_use_the_lectures_terms(tmp_path):
    init_workspace(tmp_path, lang="ko")
    text = {p.relative_to(tmp_path).as_posix(): p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.py")}
    assert "배치 정규화" in text["batchnorm.py"] and "드롭아웃" in text["dropout.py"]
    assert "가중치 감쇠" in text["l2_penalty.py"] and "역전파" in text["linear.py"]
    for e in EXERCISES:
        assert e.definition.missing.ko in text[e.file] and e.definition.missing.en not in text[e.file]
        assert e.definition.statement.en.splitlines()[0] not in text[e.file]
    assert "역전파" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_english_workspace_has_no_korean(tmp_path):
    init_workspace(tmp_path, lang="en")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not HANGUL.search(path.read_text(encoding="utf-8")), path


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
        assert e.definition.statement.en.splitlines()[0] in readme
        assert e.definition.statement.ko.splitlines()[0] in readme
        assert f"`pytest {tmp_path}/test_exercises.py::test_{e.name}`" in readme
    for b in BUGS:
        assert f"`bughunt/{b.name}.py`" in readme


def test_the_workspace_imports_no_torch(tmp_path):
    """A student with NumPy, pytest and hypothesis but no PyTorch can init and grade."""
    directory = tmp_path / "ws"
    proc = run_cli("init", directory, "--solutions", without_torch=True)
    assert proc.returncode == 0, proc.stderr
    code, outcomes, output = run_pytest(directory, cwd=directory, report=tmp_path / "report.xml",
                                        without_torch=True)
    assert code == 0 and outcomes == {name: ("passed", "") for name in all_test_ids()}, output
    assert "torch" not in "".join(p.read_text(encoding="utf-8") for p in directory.rglob("*.py"))


def test_the_readme_section_names_what_init_writes():
    """README's "Learn by doing" counts the bug-hunt layers and names the exercises."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme[readme.index("## Learn by doing"):readme.index("## 한국어")].split())
    counts = {6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
    assert f"`bughunt/` holds {counts[len(BUGS)]} files" in section
    for e in EXERCISES:
        assert e.check.name in section or e.name.replace("_", " ") in section.replace("-", " ").lower(), e.name
