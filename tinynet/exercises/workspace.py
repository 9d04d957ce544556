"""Write a student's workspace: exercise files, bug hunt, README and graders.

The workspace of ``init DIR`` holds one file per exercise and per bug-hunt
layer, ``test_exercises.py`` and ``bughunt/test_bughunt.py`` (one test
``test_<name>`` per file, so ``pytest DIR/test_exercises.py::test_linear``
grades exactly one), a ``conftest.py`` that sets ``$TINYNET_LANG`` to the
workspace's language for the grader and gradcheck, and a README.
"""
import os
import shlex
import shutil
from pathlib import Path

from ..files import atomic_write
from ..text import LANGUAGES, Text
from .catalog import BUG_TESTS, BUGS, EXERCISE_TESTS, EXERCISES
from .messages import each, inline
from .template import with_docstring


class WorkspaceError(ValueError):
    """The workspace cannot be written; ``text`` (a Text) says why and what to do."""

    def __init__(self, text):
        super().__init__(text.en)
        self.text = text


def _refuse(en, ko, **values):
    return WorkspaceError(Text(en, ko).format(**values))


HEADING = {False: Text("Exercise {number}: {title}", "문제 {number}: {title}"),
           True: Text("Bug hunt {number}: {title}", "버그 찾기 {number}: {title}")}
GRADE_IT = Text("Grade it", "채점하기")


def command(directory, problem):
    """The command that grades exactly ``problem`` in the workspace at ``directory``."""
    return "pytest " + shlex.quote(f"{Path(directory).as_posix()}/{problem.tests}::test_{problem.name}")


def problem_source(problem, number, lang, directory, solutions=False):
    """The student's file: the statement as its docstring, then the code."""
    title = problem.definition.title
    heading = HEADING[problem.is_bug]
    heading = Text(heading.en.format(number=number, title=title.en), heading.ko.format(number=number, title=title.ko))
    docstring = "\n\n".join(each(heading, lang) + each(problem.definition.statement, lang)
                            + [f"{inline(GRADE_IT, lang)}: {command(directory, problem)}"])
    return with_docstring(problem.code(lang, solutions), docstring)


TESTS_DOC = {
    False: Text("The grader of the exercises: test_NAME checks NAME.py (a layer with tinynet.gradcheck, "
                "a function against tinynet's own).",
                "문제 채점기: test_NAME이 NAME.py를 검사합니다(계층은 tinynet.gradcheck로, 함수는 tinynet의 "
                "구현과 비교하여)."),
    True: Text("The grader of the bug hunt: test_NAME checks NAME.py (a layer with tinynet.gradcheck, "
               "a function against tinynet's own).",
               "버그 찾기 채점기: test_NAME이 NAME.py를 검사합니다(계층은 tinynet.gradcheck로, 함수는 tinynet의 "
               "구현과 비교하여)."),
}


def tests_source(problems, lang, bughunt):
    folder = ".parent" if bughunt else ""
    head = ['"""' + "\n".join(each(TESTS_DOC[bughunt], lang)) + '\n"""',
            "from pathlib import Path", "", "from tinynet.exercises.grader import grade", "",
            f"WORKSPACE = Path(__file__).resolve().parent{folder}", ""]
    flag = ", bughunt=True" if bughunt else ""
    tests = [f"\n\ndef test_{p.name}():\n    grade(WORKSPACE, {p.name!r}{flag})\n" for p in problems]
    return "\n".join(head) + "".join(tests)


CONFTEST_DOC = Text("pytest settings of this workspace: the messages' language.",
                    "이 작업 폴더의 pytest 설정: 메시지의 언어.")
HEADER = Text("tinynet exercises: each test grades one file; `pytest -x` stops at the first one left to do",
              "tinynet 연습 문제: 테스트 하나가 파일 하나를 채점합니다. `pytest -x`는 처음 실패한 곳에서 멈춥니다")


CONFTEST_COMMENTS = (Text("chosen at init: the language of the grader's and gradcheck's messages",
                          "init에서 고른 언어: 채점기와 gradcheck 메시지의 언어"),
                     Text("the exercises first, then the bug hunt", "연습 문제 먼저, 그다음 버그 찾기"))


def conftest_source(lang):
    language, order = (inline(c, lang) for c in CONFTEST_COMMENTS)
    return "\n".join([
        '"""' + "\n".join(each(CONFTEST_DOC, lang)) + '\n"""',
        "from pathlib import Path", "",
        "import pytest", "",
        f"LANGUAGE = {lang!r}       # {language}",
        'BUGHUNT = Path(__file__).resolve().parent / "bughunt"', "", "",
        "@pytest.fixture(autouse=True)",
        "def _workspace_language(monkeypatch):",
        '    monkeypatch.setenv("TINYNET_LANG", LANGUAGE)', "", "",
        "def pytest_collection_modifyitems(items):",
        f"    items.sort(key=lambda item: Path(item.path).parent == BUGHUNT)     # {order}", "", "",
        "def pytest_report_header(config):",
        f"    return {inline(HEADER, lang)!r}", ""])


# Makes the workspace pytest's rootdir wherever pytest starts in it, so
# conftest.py (the language) applies to bughunt/ too.
PYTEST_INI = "[pytest]\n"


README = Text(
    "# tinynet exercises: write the backward passes\n\n"
    "Most exercise files below hold a layer whose forward is written and whose backward\n"
    "is yours to derive and write; the others hold an optimizer's update rule or an\n"
    "initialisation formula to write. Each file's docstring says what to derive. `pytest {dir}`\n"
    "grades every file: a layer with tinynet.gradcheck, which compares your gradients with\n"
    "finite differences, once with one call of the layer and once with the layer called\n"
    "several times before one backward; a function against tinynet's own (tinynet.optim,\n"
    "tinynet.nn.init), case by case. The command in each file grades that file alone (run it\n"
    "where you ran init).\n"
    "A failing test says what is missing, or which gradient or value is wrong and why.\n\n"
    "The `bughunt/` files hold code with ONE classic bug each: run the grader, read\n"
    "its hint, find the bug and fix it.",
    "# tinynet 연습 문제: 역전파 직접 작성하기\n\n"
    "아래 문제 파일 대부분에는 순전파(forward)가 작성된 계층이 있고, 역전파(backward)는 직접\n"
    "유도하여 작성해야 합니다. 나머지 파일에서는 옵티마이저의 갱신 규칙이나 초기화 공식을\n"
    "작성합니다. 무엇을 유도할지는 각 파일의 설명(docstring)에 있습니다. `pytest {dir}`를\n"
    "실행하면 모든 파일을 채점합니다: 계층은 tinynet.gradcheck가 여러분의 기울기를 수치 미분과\n"
    "비교하여 검사하는데, 계층을 한 번 호출할 때와 역전파 전에 여러 번 호출할 때 모두 봅니다.\n"
    "함수는 tinynet의 구현(tinynet.optim, tinynet.nn.init)과 사례마다 비교합니다. 각 파일에 적힌\n"
    "명령은 그 파일 하나만 채점합니다(init을 실행한 폴더에서 실행하세요). 실패한 테스트는\n"
    "무엇이 빠졌는지, 또는 어느 기울기나 값이 왜 틀렸는지 알려 줍니다.\n\n"
    "`bughunt/` 폴더의 파일에는 흔한 실수가 하나씩 숨어 있습니다. 채점기를 실행하고\n"
    "힌트를 읽은 뒤 버그를 찾아 고치세요.")
SOLVED = Text("This workspace holds the reference solutions: `pytest` passes.",
              "이 폴더에는 모범 답안이 들어 있습니다: `pytest`가 통과합니다.")
TABLE = Text("| # | file | problem | grade it |", "| # | 파일 | 문제 | 채점 명령 |")
TABLE_BOTH = "| # | file / 파일 | problem / 문제 | grade it / 채점 명령 |"


def readme_source(lang, solutions, directory):
    where = shlex.quote(Path(directory).as_posix())
    lines = ["\n\n".join(each(README.format(dir=where), lang)), ""]
    if solutions:
        lines += [inline(SOLVED, lang), ""]
    lines += [TABLE_BOTH if lang == "both" else TABLE.pick(lang), "|---|---|---|---|"]
    for prefix, problems in (("", EXERCISES), ("B", BUGS)):
        for i, p in enumerate(problems, 1):
            lines.append(f"| {prefix}{i} | `{p.file}` | {inline(p.definition.title, lang)} | "
                         f"`{command(directory, p)}` |")
    lines.append("")
    for i, p in enumerate(EXERCISES, 1):
        lines += [f"## {i}. `{p.file}`: {inline(p.definition.title, lang)}", ""]
        for statement in each(p.definition.statement, lang):
            lines += ["```text", statement, "```", ""]
        lines += [f"`{command(directory, p)}`", ""]
    return "\n".join(lines)


def workspace_files(directory, lang="both", solutions=False):
    """{relative path: text} of the workspace to be written at ``directory``."""
    if lang not in LANGUAGES:
        raise _refuse("unknown language {lang!r}: choose one of {choices}",
                      "알 수 없는 언어 {lang!r}: {choices} 중 하나를 고르세요", lang=lang, choices=", ".join(LANGUAGES))
    files = {"README.md": readme_source(lang, solutions, directory),
             "conftest.py": conftest_source(lang),
             "pytest.ini": PYTEST_INI,
             EXERCISE_TESTS: tests_source(EXERCISES, lang, bughunt=False),
             BUG_TESTS: tests_source(BUGS, lang, bughunt=True)}
    for problems in (EXERCISES, BUGS):
        for i, p in enumerate(problems, 1):
            files[p.file] = problem_source(p, i, lang, directory, solutions)
    return files


def _backup_name(path):
    candidate, n = path.with_name(path.name + ".bak"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.bak{n}")
    return candidate


def _write(target, text, backup):
    """Write ``text`` to ``target`` atomically; an existing ``target`` is first copied to ``backup``."""
    if backup is not None:
        shutil.copy2(target, backup)
    atomic_write(target, text.encode("utf-8"))


def _refuse_unusable(directory, files, force):
    """Every refusal that can be decided before anything is written."""
    if directory.exists() and not directory.is_dir():
        raise _refuse("{directory} is a file, not a folder: choose a new folder name",
                      "{directory}은(는) 폴더가 아니라 파일입니다: 새 폴더 이름을 고르세요", directory=directory)
    parent = directory.absolute().parent
    if not directory.exists():
        if parent.exists() and not parent.is_dir():
            raise _refuse("{parent} is a file, not a folder, so {directory} cannot be created there",
                          "{parent}은(는) 폴더가 아니라 파일이므로 그 안에 {directory}을(를) 만들 수 없습니다",
                          parent=parent, directory=directory)
        if not parent.exists():
            raise _refuse("cannot create {directory}: the folder {parent} does not exist "
                          "(check the path, or create that folder first)",
                          "{directory}을(를) 만들 수 없습니다: 폴더 {parent}이(가) 없습니다 "
                          "(경로를 확인하거나 그 폴더를 먼저 만드세요)", parent=parent, directory=directory)
    if directory.is_dir() and any(directory.iterdir()) and not force:
        entries = sorted(p.name for p in directory.iterdir())
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise _refuse("{directory} is not empty (it holds {shown}); choose a new folder, or pass --force "
                      "to write into it (files it would replace are kept as NAME.bak)",
                      "{directory}이(가) 비어 있지 않습니다 ({shown}이(가) 있습니다): 새 폴더를 고르거나, "
                      "--force로 그 안에 쓰세요 (바뀌는 파일은 NAME.bak으로 보관됩니다)",
                      directory=directory, shown=shown)
    for relative in files:
        target = directory / relative
        for folder in [target.parent, *target.parent.parents]:
            if folder.exists() and not folder.is_dir():
                raise _refuse("{folder} is a file, but the workspace needs a folder there; "
                              "move it away or choose a new folder",
                              "{folder}은(는) 파일이지만 작업 폴더에는 그 자리에 폴더가 필요합니다: "
                              "파일을 옮기거나 새 폴더를 고르세요", folder=folder)
        if target.exists() and not target.is_file():
            raise _refuse("{target} exists and is not a file; move it away or choose a new folder",
                          "{target}이(가) 이미 있고 파일이 아닙니다: 옮기거나 새 폴더를 고르세요", target=target)


def init_workspace(directory, solutions=False, lang="both", force=False):
    """Write a workspace into ``directory``; return ``(written, backed_up)`` path lists.

    An existing non-empty folder is refused unless ``force``; even then,
    nothing already there is lost: a file that would be replaced by different
    text is first renamed to ``NAME.bak`` (``.bak2``, ... if that exists too).
    A folder that cannot be written (read-only, say) is refused with its name.
    """
    directory = Path(directory)
    files = workspace_files(directory, lang, solutions)     # validates lang before touching the disk
    _refuse_unusable(directory, files, force)
    written, backed_up = [], []
    for relative, text in files.items():
        target = directory / relative
        try:
            if not target.parent.exists():
                into = target.parent.parent
                target.parent.mkdir()
            into = target.parent
            if target.exists() and target.read_bytes() == text.encode("utf-8"):
                written.append(target)
                continue
            backup = _backup_name(target) if target.exists() else None
            _write(target, text, backup)
        except OSError as exc:
            done = Text(f" ({len(written)} of {len(files)} files were written before)",
                        f" (그 전에 파일 {len(files)}개 중 {len(written)}개를 썼습니다)") if written else Text("", "")
            raise _refuse("cannot write into {folder}: {reason}{done.en}; choose a folder you can write to",
                          "{folder}에 쓸 수 없습니다: {reason}{done.ko}. 쓰기 권한이 있는 폴더를 고르세요",
                          folder=into, reason=os.strerror(exc.errno) if exc.errno else exc, done=done) from None
        if backup is not None:
            backed_up.append(backup)
        written.append(target)
    return written, backed_up
