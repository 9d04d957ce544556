"""The exercise folders: a folder dropped in is found and graded (a check of the third kind, a function
against a reference), an incomplete or wrong one is refused by name, and an installed tinynet holds them."""
import importlib
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

from exercise_workspaces import ROOT
from tinynet.exercises import BUGS, EXERCISES, grader
from tinynet.exercises.catalog import CatalogError, discover_bugs, discover_exercises
from tinynet.exercises.problem import FOUND_BY_COMPARING, Mistake
from tinynet.text import Text

HE_TEMPLATE = '''\
"""He initialisation's standard deviation."""
import math


def he_std(fan_in):
    # BEGIN SOLUTION
    # TODO: return sqrt(2 / fan_in)
    return math.sqrt(2.0 / fan_in)
    # END SOLUTION
'''

HE_TEXTS = '''\
order = 1

[title]
en = "He initialisation"
ko = "He 초기화"

[statement]
en = "std = sqrt(2 / fan_in)."
ko = "std = sqrt(2 / fan_in)."

[missing]
en = "he_std is not written yet"
ko = "he_std가 아직 작성되지 않았습니다"
'''

HE_CHECK = '''\
import math

from tinynet.exercises.problem import ReferenceCheck

CHECK = ReferenceCheck("he_std", reference=lambda fan_in: math.sqrt(2.0 / fan_in), against="sqrt(2 / fan_in)",
                       cases=lambda rng: [(784,), (100,), (int(rng.integers(1, 50)),)])
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

MOMENTUM_TEXTS = '''\
order = 2
title = {en = "SGD with momentum", ko = "모멘텀 SGD"}
statement = {en = "v <- mu v + g; w <- w - lr v.", ko = "v <- mu v + g; w <- w - lr v."}
missing = {en = "momentum_step is not written yet", ko = "momentum_step이 아직 작성되지 않았습니다"}
'''

MOMENTUM_CHECK = '''\
"""SGD with momentum, checked against PyTorch's update rule written out."""
from tinynet.exercises.problem import ReferenceCheck


def reference(param, grad, velocity, lr, momentum):
    velocity[...] = momentum * velocity + grad
    param[...] = param - lr * velocity


CHECK = ReferenceCheck("momentum_step", reference=reference, against="torch.optim.SGD",
                       cases=lambda rng: [(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                                           rng.normal(size=(3, 2)), 0.1, 0.9)])
'''

FORGOT_VELOCITY_TEXTS = '''\
template = "momentum"
kind = "differs"
tensor = "velocity"
fixed = "velocity += grad"
buggy = "pass"
title = {en = "Momentum: a forgotten line", ko = "모멘텀: 빠진 줄"}
'''

# The same bug in a folder of its own: its code, and its check with the mistake it makes.
OWN_CHECK = MOMENTUM_CHECK.replace("from tinynet.exercises.problem import ReferenceCheck", '''\
import numpy as np

from tinynet.exercises.problem import ReferenceCheck


def forgotten_line(param, grad, velocity, lr, momentum):
    velocity *= momentum
    param -= lr * velocity
''').replace("cases=lambda rng: [", "mistakes=(forgotten_line,), cases=lambda rng: [")
OWN_CHECK_TEXTS = FORGOT_VELOCITY_TEXTS.replace('template = "momentum"\n', "") + '''
[mistakes.forgotten_line]
en = "the gradient never reaches the velocity"
ko = "기울기가 속도에 더해지지 않습니다"
'''


def make_folder(root, name, files):
    """A package folder ``root/name`` holding ``files`` (file name -> text) besides its __init__.py."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for file, text in files.items():
        (folder / file).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """new(files_by_folder): a fresh importable package of problem folders; its path and name."""
    made = []

    def new(folders):
        package = f"dropped_{len(made)}"
        made.append(package)
        make_folder(tmp_path, package, {})
        for name, files in folders.items():
            make_folder(tmp_path / package, name, files)
        return tmp_path / package, package

    monkeypatch.syspath_prepend(str(tmp_path))
    yield new
    for name in [m for m in list(sys.modules) if m.startswith(tuple(made))]:
        del sys.modules[name]


HE = {"template.py": HE_TEMPLATE, "problem.toml": HE_TEXTS, "check.py": HE_CHECK}
MOMENTUM = {"template.py": MOMENTUM_TEMPLATE, "problem.toml": MOMENTUM_TEXTS, "check.py": MOMENTUM_CHECK}
FORGOT_VELOCITY = {"problem.toml": FORGOT_VELOCITY_TEXTS}
OWN_CHECK_BUG = {"template.py": MOMENTUM_TEMPLATE, "problem.toml": OWN_CHECK_TEXTS, "check.py": OWN_CHECK}


@pytest.fixture
def dropped_in(packages, tmp_path):
    """Two exercises and one bug in their code, as later exercises will come."""
    exercises = discover_exercises(*packages({"he_std": HE, "momentum": MOMENTUM}))
    bugs = discover_bugs(*packages({"forgot_velocity": FORGOT_VELOCITY}), exercises)
    return exercises, bugs, tmp_path


def grade_text(problem, text, folder, lang="en"):
    path = folder / problem.file.replace("/", "_")
    path.write_text(text, encoding="utf-8")
    return grader.check_file(problem, path, lang=lang)


def test_a_dropped_in_function_exercise_is_found_and_graded(dropped_in):
    (he, momentum), (bug,), folder = dropped_in
    assert (he.name, momentum.name, bug.name) == ("he_std", "momentum", "forgot_velocity")
    assert he.definition.title == Text("He initialisation", "He 초기화")
    assert momentum.definition.missing == Text("momentum_step is not written yet", "momentum_step이 아직 작성되지 않았습니다")
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
    # its statement says what the results are compared with: the check's reference, by name
    assert bug.definition.statement == FOUND_BY_COMPARING.format(reference="torch.optim.SGD")
    assert "torch.optim.SGD" in bug.definition.statement.en and "torch.optim.SGD의 결과와" in bug.definition.statement.ko


def test_a_mistake_written_as_a_function_takes_its_cause_from_problem_toml(packages, tmp_path):
    [bug] = discover_bugs(*packages({"forgot_velocity": OWN_CHECK_BUG.copy()}), ())
    [mistake] = bug.check.mistakes
    assert isinstance(mistake, Mistake) and mistake.kind == "forgotten_line"
    assert mistake.cause == Text("the gradient never reaches the velocity", "기울기가 속도에 더해지지 않습니다")
    # and a bug may be that mistake: the grader names it with its cause
    report = grade_text(bug, bug.code("ko"), tmp_path, lang="ko")
    assert report.findings == ("differs", "forgotten_line") and report.message.endswith(
        "\n힌트 [forgotten_line] 기울기가 속도에 더해지지 않습니다"), report.message


# -- discovery refuses an incomplete or wrong folder, naming it ------------------------------------

def changed(files, name, old, new):
    """``files`` with ``old`` replaced by ``new`` in the file ``name`` (which must hold it)."""
    assert old in files[name], (name, old)
    return {**files, name: files[name].replace(old, new)}


def without(files, name):
    return {k: v for k, v in files.items() if k != name}


EXERCISE_REFUSALS = [
    (without(HE, "template.py"), "has no template.py"),
    (without(HE, "check.py"), "has no check.py"),
    (without(HE, "problem.toml"), "has no problem.toml"),
    ({**HE, "check.py": "CHECK = 3\n"}, "must define CHECK = LayerCheck"),
    ({**HE, "check.py": "CHECKS = ()\n"}, "must define CHECK = .*got NoneType"),
    (changed(HE, "problem.toml", "[missing]", "[missing"), "is not valid TOML"),
    (changed(HE, "problem.toml", "[missing]", "[mising]"), "lacks 'missing'.* has unknown 'mising'"),
    (changed(HE, "problem.toml", 'ko = "He 초기화"\n', ""), r"\[title\] must be a table of two non-empty texts"),
    (changed(HE, "problem.toml", 'ko = "He 초기화"', 'ko = "  "'), r"\[title\] must be a table of two non-empty"),
    (changed(HE, "problem.toml", 'ko = "He 초기화"', 'kr = "He 초기화"'), r"\[title\] must be a table"),
    (changed(HE, "problem.toml", "order = 1", 'order = "1"'), "order must be an integer, got '1'"),
    (changed(HE, "problem.toml", "order = 1", "order = true"), "order must be an integer, got True"),
    (changed(HE, "problem.toml", "order = 1", "mistakes = 3"), "mistakes must be tables"),
    (changed(HE, "problem.toml", "order = 1", "[mistakes.sqrt_of_one]\nen = 'a'\nko = 'b'\n"),
     r"\[mistakes.sqrt_of_one\] names no mistake of check.py's CHECK"),
    (changed(HE, "check.py", 'against="sqrt(2 / fan_in)",',
             'against="sqrt(2 / fan_in)", mistakes=(math.floor,),'), "says nothing of the mistake floor"),
]


@pytest.mark.parametrize("files, message", EXERCISE_REFUSALS)
def test_a_wrong_exercise_folder_is_refused_by_name(files, message, packages):
    with pytest.raises(CatalogError, match=message) as caught:
        discover_exercises(*packages({"he_std": files}))
    assert "he_std" in str(caught.value)


@pytest.mark.parametrize("name", ["random", "conftest", "Upper", "two-words"])
def test_a_folder_named_like_a_module_or_not_a_name_is_refused(name, packages):
    with pytest.raises(CatalogError, match="must be a lower-case Python name that no module") as caught:
        discover_exercises(*packages({name: HE}))
    assert name in str(caught.value)


BUG_REFUSALS = [
    (FORGOT_VELOCITY, "template = 'momentum' names no exercise"),
    (changed(FORGOT_VELOCITY, "problem.toml", 'template = "momentum"\n', ""),
     "needs its own template.py .* and check.py"),
    ({**changed(FORGOT_VELOCITY, "problem.toml", 'template = "momentum"\n', ""), "template.py": MOMENTUM_TEMPLATE},
     "needs its own template.py .* and check.py"),
    (changed(OWN_CHECK_BUG, "problem.toml", 'kind = "differs"', 'kind = "typo"'),
     "kind 'typo' is none of what the grader reports"),
    (changed(OWN_CHECK_BUG, "problem.toml", 'kind = "differs"', 'kind = "forgotten_lines"'),
     r"kind 'forgotten_lines' is none of what the grader reports \(.*differs, forgotten_line\)"),
    (changed(FORGOT_VELOCITY, "problem.toml", 'buggy = "pass"', "buggy = 3"), "buggy must be a non-empty string"),
    (changed(FORGOT_VELOCITY, "problem.toml", 'buggy = "pass"\n', ""), "lacks 'buggy'"),
    (changed(FORGOT_VELOCITY, "problem.toml", 'fixed', "statement = {en = 'a', ko = 'b'}\nfixed"),
     "has unknown 'statement'"),
    ({"problem.toml": FORGOT_VELOCITY_TEXTS + "[mistakes.x]\nen = 'a'\nko = 'b'\n"}, r"\[mistakes\] without a check.py"),
]


@pytest.mark.parametrize("files, message", BUG_REFUSALS)
def test_a_wrong_bug_folder_is_refused_by_name(files, message, packages):
    with pytest.raises(CatalogError, match=message) as caught:
        discover_bugs(*packages({"forgot_velocity": files}), ())
    assert "forgot_velocity" in str(caught.value)


# -- an installed tinynet holds every folder's files ------------------------------------------------

def test_an_installed_tinynet_finds_every_exercise_and_writes_a_workspace(tmp_path):
    """setup.cfg's wheel, built from a copy of the checkout and unpacked elsewhere: it holds every file of
    every problem folder, and `python -m tinynet.exercises init` run from it writes every exercise."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "tinynet", source / "tinynet", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                            "print(build_meta.build_wheel(sys.argv[1]))", str(tmp_path / "dist")],
                           cwd=source, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = tmp_path / "dist" / built.stdout.splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        held = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    folders = [p.parent for p in (ROOT / "tinynet/exercises").glob("*/*/problem.toml")]
    assert len(folders) == len(EXERCISES + BUGS)
    for file in [f for folder in folders for f in folder.iterdir() if f.is_file()]:
        assert file.relative_to(ROOT).as_posix() in held, file
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "site"), "HOME": str(tmp_path)}
    init = subprocess.run([sys.executable, "-c", "import sys, tinynet; print(tinynet.__file__); "
                           "from tinynet.exercises.__main__ import main; sys.exit(main(sys.argv[1:]))",
                           "init", "ws", "--lang", "ko"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert init.returncode == 0, init.stderr
    assert init.stdout.startswith(str(tmp_path / "site" / "tinynet")), init.stdout
    for problem in EXERCISES + BUGS:
        text = (tmp_path / "ws" / problem.file).read_text(encoding="utf-8")
        assert problem.definition.statement.ko.splitlines()[0] in text, problem.file
