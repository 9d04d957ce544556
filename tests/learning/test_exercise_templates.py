"""The exercise templates: real modules, their solutions and blanks, their planted bugs, their markers
(the folders around them: test_exercise_folders.py)."""
import importlib

import pytest

from tinynet.exercises import BUGS, EXERCISES
from tinynet.exercises import grader, template
from tinynet.exercises.problem import LayerCheck, LossCheck, ReferenceCheck

ALL = EXERCISES + BUGS
IDS = [p.file for p in ALL]


# -- every template, imported as it is, is the solution --------------------------

def checked_by_gradcheck(problem):
    return isinstance(problem.check, (LayerCheck, LossCheck))


@pytest.mark.parametrize("problem", ALL, ids=IDS)
def test_each_template_module_imports_and_passes(problem):
    module = importlib.import_module(problem.module)
    report = grader.check_module(problem, module)
    assert report.ok, report.message
    if checked_by_gradcheck(problem):
        assert len(report.results) == 2 and all(r.ok for r in report.results)   # alone, then shared
    else:
        assert isinstance(problem.check, ReferenceCheck) and report.findings == ()


@pytest.mark.parametrize("lang", ["en", "ko", "both"])
@pytest.mark.parametrize("problem", EXERCISES, ids=[p.file for p in EXERCISES])
def test_each_blank_says_it_is_not_written_yet(problem, lang, tmp_path):
    path = tmp_path / problem.file
    path.write_text(problem.code(lang), encoding="utf-8")
    with pytest.raises(grader.GradingError) as caught:
        grader.check_file(problem, path, lang=lang)
    assert str(caught.value) == f"{problem.file}: {problem.definition.missing.pick(lang)}"


@pytest.mark.parametrize("problem", EXERCISES, ids=[p.file for p in EXERCISES])
def test_the_solution_and_the_blank_differ_only_in_the_marked_part(problem):
    source = problem.template.read_text(encoding="utf-8")
    solved, blank = problem.code(solution=True), problem.code("en")
    assert template.BEGIN not in solved + blank and template.END not in solved + blank
    assert "# TODO" not in solved and "# TODO" in blank
    before = source[:source.index(template.BEGIN)]
    before = before[:before.rindex("\n") + 1]
    assert solved.startswith(before) and blank.startswith(before)
    compile(solved, problem.file, "exec")
    compile(blank, problem.file, "exec")


@pytest.mark.parametrize("bug", BUGS, ids=[b.file for b in BUGS])
def test_each_planted_bug_is_caught_with_its_hint(bug, tmp_path):
    path = tmp_path / f"{bug.name}.py"
    path.write_text(bug.code("en"), encoding="utf-8")
    report = grader.check_file(bug, path, lang="en")
    assert not report.ok and bug.definition.kind in report.findings, report.message
    if checked_by_gradcheck(bug):
        alone = report.results[0]
        assert bug.definition.kind in {h.kind for h in alone.hints if h.tensor == bug.definition.tensor}, str(alone)
    else:       # a mistake the ReferenceCheck knows, named on the line after the first difference
        [mistake] = [m for m in bug.check.mistakes if m.kind == bug.definition.kind]
        assert report.findings == ("differs", mistake.kind)
        assert report.message.endswith(f"\nhint [{mistake.kind}] {mistake.cause.en}"), report.message
    fixed, buggy = bug.code(solution=True), bug.code("en")
    changed = [(a, b) for a, b in zip(fixed.splitlines(), buggy.splitlines()) if a != b]
    assert len(changed) == 1 and bug.definition.buggy in changed[0][1]         # one line, and only it


# -- the markers ---------------------------------------------------------------

BODY = """\
def f(x):
    y = 2 * x
    # BEGIN SOLUTION
    # TODO: return 3 * y
    return 3 * y
    # END SOLUTION
"""


def test_blank_keeps_the_todo_and_raises_the_message_in_each_language():
    one = template.blank(BODY, "f is not written yet")
    assert one.splitlines()[-2:] == ["    # TODO: return 3 * y",
                                     "    raise NotImplementedError('f is not written yet')"]
    both = template.blank(BODY, "f is not written yet\nf가 아직 작성되지 않았습니다")
    namespace = {}
    exec(compile(both, "both", "exec"), namespace)
    with pytest.raises(NotImplementedError) as caught:
        namespace["f"](1)
    assert str(caught.value) == "f is not written yet\nf가 아직 작성되지 않았습니다"
    assert template.solution(BODY).splitlines()[-1] == "    return 3 * y"


@pytest.mark.parametrize("text, message", [
    ("x = 1\n", "no part for the student"),
    ("# BEGIN SOLUTION\nx = 1\n", "BEGIN SOLUTION is never closed"),
    ("x = 1\n# END SOLUTION\n", "END SOLUTION without a # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside the region opened at line 1"),
])
def test_broken_markers_are_refused_with_the_line(text, message):
    with pytest.raises(template.TemplateError, match=message):
        template.solution(text, "t.py")


def test_a_bug_must_replace_exactly_one_line():
    with pytest.raises(template.TemplateError, match="occurs 2 times"):
        template.with_bug("a = 1\na = 1\n", "a = 1", "a = 2")
    with pytest.raises(template.TemplateError, match="occurs 0 times"):
        template.with_bug("a = 1\n", "b = 1", "b = 2")


def test_the_docstring_is_replaced_and_escaped():
    text = '"""old\nline"""\nimport os\n'
    new = template.with_docstring(text, 'new """quoted""" \\ back')
    namespace = {}
    exec(compile(new, "t", "exec"), namespace)
    assert namespace["__doc__"] == 'new """quoted""" \\ back\n' and "import os" in new
    assert template.with_docstring("x = 1\n", "doc").startswith('"""doc\n"""\nx = 1')
