"""The exercises and the bug hunt, read from the folders ``problems/`` and ``bughunt/``.

``EXERCISES`` and ``BUGS`` are tuples of :class:`Problem`, in workspace
order. Each comes from one folder (see :mod:`tinynet.exercises.problem` for
what the folder holds): its ``problem.toml`` is read here, its ``check.py``
imported; nothing else lists them.
"""
import dataclasses
import importlib
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..gradcheck import BUG_KINDS
from ..text import Text
from . import template as templates
from .checks import GRADER_FINDINGS
from .problem import Bug, Exercise, LayerCheck, LossCheck, Mistake, ReferenceCheck, bug_statement

HERE = Path(__file__).resolve().parent
EXERCISE_TESTS = "test_exercises.py"
BUG_TESTS = "bughunt/test_bughunt.py"

# pytest puts the workspace's folders on sys.path, so a workspace file named
# like a module would shadow it; and these names are the workspace's own files.
_TAKEN = {"conftest", "test_exercises", "test_bughunt", "bughunt", "tinynet", "numpy", "pytest",
          "hypothesis", "_pytest"}

# problem.toml's keys: (required, optional); texts are tables of en and ko.
_EXERCISE_KEYS = ({"title", "statement", "missing"}, {"order", "mistakes"})
_BUG_KEYS = ({"title", "fixed", "buggy", "kind", "tensor"}, {"order", "template", "mistakes"})
_TEXTS = {"title", "statement", "missing"}
_CHECKS = (LayerCheck, LossCheck, ReferenceCheck)


class CatalogError(ValueError):
    """A problem folder that is incomplete or wrong; the message names the folder."""


@dataclass(frozen=True)
class Problem:
    """One exercise or bug-hunt layer, as its folder defines it."""
    name: str
    definition: Exercise | Bug
    template: Path          # the file holding its code
    module: str             # that file's import name

    @property
    def check(self):
        return self.definition.check

    @property
    def is_bug(self):
        return isinstance(self.definition, Bug)

    @property
    def file(self):
        """The student's file, relative to the workspace."""
        return f"bughunt/{self.name}.py" if self.is_bug else f"{self.name}.py"

    @property
    def tests(self):
        """The workspace file holding this problem's test, ``test_<name>``."""
        return BUG_TESTS if self.is_bug else EXERCISE_TESTS

    def code(self, lang="en", solution=False):
        """The student's module (its docstring still the template's): blank or
        buggy, or with ``solution`` the solved or fixed code."""
        text = self.template.read_text(encoding="utf-8")
        where = str(self.template)
        if not self.is_bug:
            return (templates.solution(text, where) if solution
                    else templates.blank(text, self.definition.missing.pick(lang), where))
        if self.definition.template is not None:            # an exercise's solution is the fixed code
            text = templates.solution(text, where)
        return text if solution else templates.with_bug(text, self.definition.fixed, self.definition.buggy, where)


def _check_name(folder):
    name = folder.name
    if not name.isidentifier() or name != name.lower() or name in _TAKEN or name in sys.stdlib_module_names:
        raise CatalogError(f"{folder}: a problem folder's name must be a lower-case Python name that no "
                           f"module or workspace file already has (it becomes {name}.py and test_{name}); "
                           "rename the folder")


def _text(value, where):
    """A ``Text`` from a table ``{en = "...", ko = "..."}``."""
    if (not isinstance(value, dict) or set(value) != {"en", "ko"}
            or not all(isinstance(v, str) and v.strip() for v in value.values())):
        raise CatalogError(f"{where} must be a table of two non-empty texts, en = \"...\" and ko = \"...\"; "
                           f"got {value!r}")
    return Text(value["en"], value["ko"])


def _read(folder, keys):
    """problem.toml of ``folder``: its keys checked against ``keys`` (required, optional), texts as Text."""
    path = folder / "problem.toml"
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path} is not valid TOML: {exc}") from None
    required, optional = keys
    missing, unknown = sorted(required - set(data)), sorted(set(data) - required - optional)
    if missing or unknown:
        found = ([f"lacks {', '.join(map(repr, missing))}"] if missing else []) + \
                ([f"has unknown {', '.join(map(repr, unknown))}"] if unknown else [])
        raise CatalogError(f"{path}: {'; '.join(found)} (it holds {', '.join(sorted(required))}, and may hold "
                           f"{', '.join(sorted(optional))})")
    for key, value in data.items():
        if key in _TEXTS:
            data[key] = _text(value, f"{path}: [{key}]")
        elif key == "order" and (type(value) is not int):
            raise CatalogError(f"{path}: order must be an integer, got {value!r}")
        elif key not in ("order", "mistakes") and not (isinstance(value, str) and value.strip()):
            raise CatalogError(f"{path}: {key} must be a non-empty string, got {value!r}")
    return data


def _check_of(folder, package):
    """check.py's CHECK, or None without a check.py."""
    if not (folder / "check.py").is_file():
        return None
    check = getattr(importlib.import_module(f"{package}.{folder.name}.check"), "CHECK", None)
    if not isinstance(check, _CHECKS):
        raise CatalogError(f"{folder / 'check.py'} must define CHECK = LayerCheck(...), LossCheck(...) or "
                           f"ReferenceCheck(...), got {type(check).__name__}")
    return check


def _with_causes(check, causes, folder):
    """``check`` with each mistake written as a function made a Mistake, its
    cause from problem.toml's ``[mistakes.<function name>]``."""
    if not isinstance(causes, dict):
        raise CatalogError(f"{folder / 'problem.toml'}: mistakes must be tables [mistakes.<name>]")
    causes = dict(causes)
    mistakes = []
    for mistake in getattr(check, "mistakes", ()):
        if not isinstance(mistake, Mistake):
            kind = mistake.__name__
            if kind not in causes:
                raise CatalogError(f"{folder / 'problem.toml'} says nothing of the mistake {kind} of check.py: "
                                   f"add [mistakes.{kind}] with its cause, en = \"...\" and ko = \"...\"")
            mistake = Mistake(kind, mistake, _text(causes.pop(kind), f"{folder / 'problem.toml'}: [mistakes.{kind}]"))
        mistakes.append(mistake)
    if causes:
        raise CatalogError(f"{folder / 'problem.toml'}: [mistakes.{', '.join(sorted(causes))}] names no mistake "
                           "of check.py's CHECK (a mistake written as a function, named so)")
    return dataclasses.replace(check, mistakes=tuple(mistakes)) if mistakes else check


def _folders(folder):
    """The problem folders in ``folder``, each with its __init__.py and problem.toml."""
    for sub in sorted(Path(folder).iterdir()):
        if not sub.is_dir() or sub.name.startswith(("_", ".")):
            continue
        _check_name(sub)
        absent = [f for f in ("__init__.py", "problem.toml") if not (sub / f).is_file()]
        if absent:
            raise CatalogError(f"{sub} has no {' and no '.join(absent)}: a problem folder holds __init__.py, "
                               "problem.toml and, unless it is a bug in an exercise's code, template.py and "
                               "check.py")
        yield sub


def _in_order(found):
    return tuple(sorted(found, key=lambda p: (p.definition.order, p.name)))


def discover_exercises(folder, package):
    """The exercises in ``folder``'s subfolders, imported as ``package.<name>``."""
    found = []
    for sub in _folders(folder):
        data = _read(sub, _EXERCISE_KEYS)
        check = _check_of(sub, package)
        absent = [f for f in ("template.py", "check.py") if not (sub / f).is_file()]
        if absent:
            raise CatalogError(f"{sub} has no {' and no '.join(absent)}: an exercise's folder holds its code "
                               "(template.py) and how it is graded (check.py)")
        data["check"] = _with_causes(check, data.pop("mistakes", {}), sub)
        found.append(Problem(sub.name, Exercise(**data), sub / "template.py", f"{package}.{sub.name}.template"))
    return _in_order(found)


def discover_bugs(folder, package, exercises):
    """The bug-hunt layers in ``folder``'s subfolders, imported as
    ``package.<name>``; a bug whose ``template`` names one of ``exercises``
    takes its code (and, without a check.py, its check) from it."""
    by_name = {e.name: e for e in exercises}
    found = []
    for sub in _folders(folder):
        data = _read(sub, _BUG_KEYS)
        check, causes = _check_of(sub, package), data.pop("mistakes", {})
        if check is not None:
            check = _with_causes(check, causes, sub)
        elif causes:
            raise CatalogError(f"{sub / 'problem.toml'}: [mistakes] without a check.py that makes them")
        template, module = sub / "template.py", f"{package}.{sub.name}.template"
        if "template" in data:
            if data["template"] not in by_name:
                raise CatalogError(f"{sub / 'problem.toml'}: template = {data['template']!r} names no exercise "
                                   f"(there are {', '.join(sorted(by_name))})")
            base = by_name[data["template"]]
            template, module, check = base.template, base.module, check or base.check
        elif not template.is_file() or check is None:
            raise CatalogError(f"{sub}: a bug with no template = \"<exercise>\" in problem.toml needs its own "
                               "template.py (the fixed code) and check.py (CHECK = ...)")
        reported = BUG_KINDS + GRADER_FINDINGS + tuple(m.kind for m in getattr(check, "mistakes", ()))
        if data["kind"] not in reported:
            raise CatalogError(f"{sub / 'problem.toml'}: kind {data['kind']!r} is none of what the grader "
                               f"reports ({', '.join(reported)})")
        bug = Bug(statement=bug_statement(check), check=check, **data)
        found.append(Problem(sub.name, bug, template, module))
    return _in_order(found)


EXERCISES = discover_exercises(HERE / "problems", f"{__package__}.problems")
BUGS = discover_bugs(HERE / "bughunt", f"{__package__}.bughunt", EXERCISES)


def find(name, bughunt=False):
    """The exercise (or bug-hunt layer) called ``name``."""
    for problem in BUGS if bughunt else EXERCISES:
        if problem.name == name:
            return problem
    kind = "bug-hunt layer" if bughunt else "exercise"
    raise KeyError(f"no {kind} named {name!r}")
