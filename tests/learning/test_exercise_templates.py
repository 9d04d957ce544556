"""The exercise folders: real template modules, their markers, their discovery,
and a check of the third kind (a function against a reference) dropped in as a folder."""
import importlib
import re
import sys
import textwrap

import pytest

from exercise_workspaces import ROOT
from tinynet.exercises import BUGS, EXERCISES
from tinynet.exercises import grader, template
from tinynet.exercises.catalog import CatalogError, discover
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


# -- a folder dropped in: functions checked against a reference ------------------

HE_TEMPLATE = '''\
"""He initialisation's standard deviation."""
import math


def he_std(fan_in):
    # BEGIN SOLUTION
    # TODO: return sqrt(2 / fan_in)
    return math.sqrt(2.0 / fan_in)
    # END SOLUTION
'''

HE_PROBLEM = '''\
"""He's standard deviation, checked against the formula."""
import math

from tinynet.exercises.problem import Exercise, ReferenceCheck
from tinynet.text import Text

PROBLEM = Exercise(
    order=1,
    title=Text("He initialisation", "He 초기화"),
    statement=Text("std = sqrt(2 / fan_in).", "std = sqrt(2 / fan_in)."),
    missing=Text("he_std is not written yet", "he_std가 아직 작성되지 않았습니다"),
    check=ReferenceCheck("he_std", reference=lambda fan_in: math.sqrt(2.0 / fan_in),
                         cases=lambda rng: [(784,), (100,), (int(rng.integers(1, 50)),)]),
)
'''

MOMENTUM_TEMPLATE = '''\
"""SGD with momentum, one update in place."""


def momentum_step(param, grad, velocity, lr, momentum):
    # BEGIN SOLUTION
    # TODO: velocity <- momentum * velocity + grad; param <- param - lr * velocity (in place)
    velocity *= momentum
    velocity += grad
    param -= lr * velocity
    # END SOLUTION
'''

MOMENTUM_PROBLEM = '''\
"""SGD with momentum, checked against PyTorch's update rule written out."""
from tinynet.exercises.problem import Exercise, ReferenceCheck
from tinynet.text import Text


def reference(param, grad, velocity, lr, momentum):
    velocity[...] = momentum * velocity + grad
    param[...] = param - lr * velocity


PROBLEM = Exercise(
    order=2,
    title=Text("SGD with momentum", "모멘텀 SGD"),
    statement=Text("v <- mu v + g; w <- w - lr v.", "v <- mu v + g; w <- w - lr v."),
    missing=Text("momentum_step is not written yet", "momentum_step이 아직 작성되지 않았습니다"),
    check=ReferenceCheck("momentum_step", reference=reference,
                         cases=lambda rng: [(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                                             rng.normal(size=(3, 2)), 0.1, 0.9)]),
)
'''

FORGOT_VELOCITY_BUG = '''\
"""A bug in a function checked against its reference."""
from tinynet.exercises.problem import Bug
from tinynet.text import Text

PROBLEM = Bug(
    title=Text("Momentum: a forgotten line", "모멘텀: 빠진 줄"),
    template="momentum", fixed="velocity += grad", buggy="pass", kind="differs", tensor="velocity",
)
'''

# The same bug in its own folder: its code, and its check with the mistake it makes.
OWN_CHECK_BUG = FORGOT_VELOCITY_BUG.replace("import Bug\n", "import Bug, Mistake, ReferenceCheck\n").replace(
    'template="momentum", ', 'check=ReferenceCheck("momentum_step", reference=print, cases=lambda rng: [], '
    'mistakes=(Mistake("forgotten_line", print, Text("a line is missing", "빠진 줄")),)), ')


def make_folder(root, name, **files):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for file, text in files.items():
        (folder / f"{file}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def dropped_in(tmp_path, monkeypatch):
    """A package `dropped_problems` of two exercises and one bug, as later exercises will come."""
    root = tmp_path / "dropped_problems"
    make_folder(tmp_path, "dropped_problems")
    make_folder(root, "he_std", template=HE_TEMPLATE, problem=HE_PROBLEM)
    make_folder(root, "momentum", template=MOMENTUM_TEMPLATE, problem=MOMENTUM_PROBLEM)
    make_folder(tmp_path / "dropped_bugs", "forgot_velocity", problem=FORGOT_VELOCITY_BUG)
    (tmp_path / "dropped_bugs" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    exercises = discover(root, "dropped_problems")
    bugs = discover(tmp_path / "dropped_bugs", "dropped_bugs", exercises)
    yield exercises, bugs, tmp_path
    for name in [m for m in list(sys.modules) if m.startswith(("dropped_problems", "dropped_bugs"))]:
        del sys.modules[name]


def grade_text(problem, text, folder, lang="en"):
    path = folder / problem.file.replace("/", "_")
    path.write_text(text, encoding="utf-8")
    return grader.check_file(problem, path, lang=lang)


def test_a_dropped_in_function_exercise_is_found_and_graded(dropped_in):
    (he, momentum), (bug,), folder = dropped_in
    assert (he.name, momentum.name, bug.name) == ("he_std", "momentum", "forgot_velocity")
    assert bug.check is momentum.check
    for problem in (he, momentum):
        assert grade_text(problem, problem.code(solution=True), folder).ok
        assert grader.check_module(problem, importlib.import_module(problem.module)).ok
        with pytest.raises(grader.GradingError, match=f"{problem.file}: {problem.definition.missing.en}"):
            grade_text(problem, problem.code("en"), folder)


def test_a_wrong_formula_is_shown_with_its_case_and_values(dropped_in):
    (he, _), _, folder = dropped_in
    wrong = he.code(solution=True).replace("math.sqrt(2.0 / fan_in)", "math.sqrt(1.0 / fan_in)")
    report = grade_text(he, wrong, folder)
    assert not report.ok and report.findings == ("differs",)
    assert report.message == ("he_std.py: he_std differs from the reference in case 1 of 3 (arguments: 784): "
                              f"the returned value: got {(1 / 784) ** 0.5:.10g}, expected {(2 / 784) ** 0.5:.10g}")
    korean = grade_text(he, wrong, folder, lang="ko")
    assert korean.message.startswith("he_std.py: he_std의 결과가 정답과 다릅니다 (사례 1/3, 인자: 784): 반환값:")


def test_a_forgotten_in_place_update_is_caught_as_a_planted_bug(dropped_in):
    _, (bug,), folder = dropped_in
    report = grade_text(bug, bug.code("en"), folder)
    assert not report.ok and report.findings == ("differs",)
    assert "momentum_step differs from the reference in case 1 of 1" in report.message
    # the parameter is compared first: without the velocity's update, its step is wrong too
    assert re.search(r"argument 1 after the call, entry \(\d, \d\): got -?[\d.]+, expected -?[\d.]+$",
                     report.message), report.message


# -- discovery refuses an incomplete folder ---------------------------------------

@pytest.mark.parametrize("files, name, message", [
    ({"problem": HE_PROBLEM}, "he_std", "has no template.py"),
    ({"template": HE_TEMPLATE}, "he_std", "has no problem.py"),
    ({"template": HE_TEMPLATE, "problem": "PROBLEM = 3\n"}, "he_std", "must define PROBLEM = Exercise"),
    ({"template": HE_TEMPLATE, "problem": HE_PROBLEM}, "random", "no module or workspace file already has"),
    ({"template": HE_TEMPLATE, "problem": HE_PROBLEM}, "conftest", "no module or workspace file already has"),
    ({"problem": FORGOT_VELOCITY_BUG}, "forgot_velocity", "template='momentum' names no exercise"),
    ({"problem": FORGOT_VELOCITY_BUG.replace('template="momentum", ', ""), "template": MOMENTUM_TEMPLATE},
     "forgot_velocity", "a bug with its own template.py needs check="),
    ({"problem": OWN_CHECK_BUG.replace('kind="differs"', 'kind="typo"'), "template": MOMENTUM_TEMPLATE},
     "forgot_velocity", "kind 'typo' is none of what the grader reports"),
])
def test_an_incomplete_folder_is_refused_by_name(files, name, message, tmp_path, monkeypatch):
    package = f"refused_{abs(hash((name, message))) % 10 ** 8}"
    make_folder(tmp_path, package)
    make_folder(tmp_path / package, name, **files)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogError, match=message) as caught:
        discover(tmp_path / package, package)
    assert name in str(caught.value)


@pytest.fixture
def own_check_bug(tmp_path, monkeypatch):
    """discover(kind): discover the one bug of OWN_CHECK_BUG, with the given kind, in a package of its own."""
    packages = []

    def discover_with(kind):
        package = f"own_check_{len(packages)}"
        packages.append(package)
        make_folder(tmp_path, package)
        make_folder(tmp_path / package, "forgot_velocity", template=MOMENTUM_TEMPLATE,
                    problem=OWN_CHECK_BUG.replace('kind="differs"', f'kind="{kind}"'))
        return discover(tmp_path / package, package)

    monkeypatch.syspath_prepend(str(tmp_path))
    yield discover_with
    for name in [m for m in list(sys.modules) if m.startswith(tuple(packages))]:
        del sys.modules[name]


def test_a_bug_may_be_one_of_its_checks_known_mistakes(own_check_bug):
    [bug] = own_check_bug("forgotten_line")
    assert bug.definition.kind == "forgotten_line" and bug.check.mistakes[0].kind == "forgotten_line"


def test_an_unknown_kind_is_refused_with_the_checks_mistakes_listed(own_check_bug):
    with pytest.raises(CatalogError, match=r"kind 'forgotten_lines' is none of what the grader reports \(.*"
                                           r"differs, forgotten_line\)"):
        own_check_bug("forgotten_lines")


def test_every_problem_folder_is_a_package_the_wheel_holds():
    """setup.cfg installs `packages = find:` (tinynet and tinynet.*): every
    problem folder must be found as a package, and hold only Python files."""
    setuptools = pytest.importorskip("setuptools")
    packages = set(setuptools.find_packages(str(ROOT), include=["tinynet", "tinynet.*"]))
    for problem in ALL:
        folder = problem.template.parent
        assert problem.module.rsplit(".", 1)[0] in packages, problem.module
        files = {p.name for p in folder.iterdir() if p.is_file()}
        assert all(name.endswith(".py") for name in files), files
