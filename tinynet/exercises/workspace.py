"""Write a student's workspace: exercise files, bug hunt, README and grader."""
import os
import tempfile
from pathlib import Path

from .catalog import BUG_STATEMENT_EN, BUG_STATEMENT_KO, BUGS, EXERCISES

LANGUAGES = ("en", "ko", "both")


class WorkspaceError(ValueError):
    """The workspace cannot be written; the message says why and what to do."""


def _pick(lang, en, ko):
    """The texts to show in language ``lang``, as a list."""
    return {"en": [en], "ko": [ko], "both": [en, ko]}[lang]


def _missing_literal(exercise, lang):
    """The NotImplementedError argument of a blank backward, as Python source."""
    messages = _pick(lang, exercise.missing_en, exercise.missing_ko)
    if len(messages) == 1:
        return repr(messages[0])
    return "\n            " + "\n            ".join(
        repr(m + "\n") if i < len(messages) - 1 else repr(m) for i, m in enumerate(messages))


def _docstring(heading, paragraphs, command):
    text = "\n\n".join([heading, *paragraphs, f"Grade it:  {command}"])
    return '"""' + text + '\n"""\n'


def exercise_source(exercise, number, lang, solution=False):
    body = exercise.solution if solution else exercise.blank.replace(
        "{MISSING}", _missing_literal(exercise, lang))
    titles = " / ".join(_pick(lang, exercise.title_en, exercise.title_ko))
    heading = f"Exercise {number}: {titles}"
    doc = _docstring(heading, _pick(lang, exercise.statement_en, exercise.statement_ko),
                     f"pytest -k {exercise.name}")
    return doc + exercise.code.replace("{BODY}", body)


def bug_source(bug, number, lang, solution=False):
    titles = " / ".join(_pick(lang, bug.title_en, bug.title_ko))
    heading = f"Bug hunt {number}: {titles}"
    doc = _docstring(heading, _pick(lang, BUG_STATEMENT_EN, BUG_STATEMENT_KO),
                     f"pytest -k bughunt_{bug.name}")
    return doc + bug.code.replace("{BODY}", bug.fixed if solution else bug.buggy)


_GRADER_HEAD = '''"""The grader of this workspace: `pytest` in this folder (or `pytest -k NAME`).

Each test loads one exercise file and checks its backward against finite
differences with tinynet.gradcheck. A failing test says what is missing
or which gradient is wrong, with gradcheck's hint for the classic bugs.
"""
from pathlib import Path

from tinynet.exercises.grader import grade

HERE = Path(__file__).resolve().parent
LANG = "{LANG}"         # language of the grader's messages: en, ko or both
'''

_CONFTEST = '''"""pytest settings of this workspace (the grader is test_workspace.py)."""


def pytest_report_header(config):
    return ("tinynet exercises: each test grades one backward; "
            "`pytest -k linear` grades one, `pytest -x` stops at the first to do")
'''


GRADER_FILE = "test_workspace.py"


def grader_source(lang):
    tests = [f"\n\ndef test_{e.name}():\n    grade(HERE, {e.name!r}, lang=LANG)\n" for e in EXERCISES]
    tests += [f"\n\ndef test_bughunt_{b.name}():\n    grade(HERE, {b.name!r}, bughunt=True, lang=LANG)\n"
              for b in BUGS]
    return _GRADER_HEAD.replace("{LANG}", lang) + "".join(tests)


def readme_source(lang, solutions):
    lines = []
    if lang in ("en", "both"):
        lines += [
            "# tinynet exercises: write the backward passes",
            "",
            "Every file below holds a layer whose forward is written and whose backward is",
            "yours to derive and write. The file's docstring says what to derive.",
            "`pytest` in this folder grades every exercise with tinynet.gradcheck, which",
            "compares your gradients with finite differences; `pytest -k linear` grades one.",
            "A failing test says what is missing, or which gradient is wrong and why.",
            "",
            "The `bughunt/` files are complete layers with ONE classic bug each: run the",
            "grader, read gradcheck's hint, find the bug and fix it.",
            "",
        ]
    if lang in ("ko", "both"):
        lines += [
            "# tinynet 연습 문제: 역전파 직접 작성하기",
            "",
            "아래 파일마다 순전파(forward)는 작성되어 있고, 역전파(backward)는 직접 유도하여",
            "작성해야 합니다. 무엇을 유도할지는 각 파일의 설명(docstring)에 있습니다.",
            "이 폴더에서 `pytest`를 실행하면 tinynet.gradcheck가 여러분의 기울기를 수치 미분과",
            "비교하여 채점합니다. `pytest -k linear`처럼 한 문제만 채점할 수도 있습니다.",
            "",
            "`bughunt/` 폴더의 파일에는 흔한 실수가 하나씩 숨어 있습니다. 채점기를 실행하고",
            "gradcheck의 힌트를 읽은 뒤 버그를 찾아 고치세요.",
            "",
        ]
    if solutions:
        lines += ["(This workspace holds the reference solutions: `pytest` passes. / "
                  "이 폴더에는 모범 답안이 들어 있습니다.)", ""]
    lines += [" / ".join(_pick(lang, "| # | file | exercise |", "| # | 파일 | 문제 |")) if lang != "both"
              else "| # | file / 파일 | exercise / 문제 |", "|---|---|---|"]
    for i, e in enumerate(EXERCISES, 1):
        lines.append(f"| {i} | `{e.name}.py` | {' / '.join(_pick(lang, e.title_en, e.title_ko))} |")
    for i, b in enumerate(BUGS, 1):
        lines.append(f"| B{i} | `bughunt/{b.name}.py` | {' / '.join(_pick(lang, b.title_en, b.title_ko))} |")
    lines.append("")
    for i, e in enumerate(EXERCISES, 1):
        lines += [f"## {i}. `{e.name}.py`: {' / '.join(_pick(lang, e.title_en, e.title_ko))}", ""]
        for statement in _pick(lang, e.statement_en, e.statement_ko):
            lines += ["```text", statement, "```", ""]
        lines += [f"`pytest -k {e.name}`", ""]
    return "\n".join(lines)


def workspace_files(lang="both", solutions=False):
    """{relative path: text} of a workspace."""
    if lang not in LANGUAGES:
        raise WorkspaceError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    files = {"README.md": readme_source(lang, solutions),
             "conftest.py": _CONFTEST,
             GRADER_FILE: grader_source(lang)}
    for i, e in enumerate(EXERCISES, 1):
        files[f"{e.name}.py"] = exercise_source(e, i, lang, solutions)
    for i, b in enumerate(BUGS, 1):
        files[f"bughunt/{b.name}.py"] = bug_source(b, i, lang, solutions)
    return files


def _write_atomically(path, text):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _backup_name(path):
    candidate, n = path.with_name(path.name + ".bak"), 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.bak{n}")
    return candidate


def init_workspace(directory, solutions=False, lang="both", force=False):
    """Write a workspace into ``directory``; return ``(written, backed_up)`` path lists.

    An existing non-empty folder is refused unless ``force``; even then,
    nothing already there is lost: a file that would be replaced by different
    text is first renamed to ``NAME.bak`` (``.bak2``, ... if that exists too).
    """
    directory = Path(directory)
    files = workspace_files(lang, solutions)         # validates lang before touching the disk
    if directory.exists() and not directory.is_dir():
        raise WorkspaceError(f"{directory} is a file, not a folder: choose a new folder name")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        entries = sorted(p.name for p in directory.iterdir())
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise WorkspaceError(f"{directory} is not empty (it holds {shown}); choose a new folder, or "
                             "pass --force to write into it (files it would replace are kept as NAME.bak)")
    for relative in files:
        target = directory / relative
        for parent in [target.parent, *target.parent.parents]:
            if parent.exists() and not parent.is_dir():
                raise WorkspaceError(f"{parent} is a file, but the workspace needs a folder there; "
                                     "move it away or choose a new folder")
        if target.exists() and not target.is_file():
            raise WorkspaceError(f"{target} exists and is not a file; move it away or choose a new folder")
    written, backed_up = [], []
    for relative, text in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            if target.read_bytes() == text.encode("utf-8"):
                written.append(target)
                continue
            backup = _backup_name(target)
            os.replace(target, backup)
            backed_up.append(backup)
        _write_atomically(target, text)
        written.append(target)
    return written, backed_up
