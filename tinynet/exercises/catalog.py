"""The exercises and the bug hunt, found in the folders ``problems/`` and ``bughunt/``.

``EXERCISES`` and ``BUGS`` are tuples of :class:`Problem`, in workspace
order. Each comes from one folder (see :mod:`tinynet.exercises.problem` for
what the folder holds); nothing else lists them.
"""
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from ..gradcheck import BUG_KINDS
from . import template as templates
from .checks import GRADER_FINDINGS
from .problem import Bug, Exercise

HERE = Path(__file__).resolve().parent
EXERCISE_TESTS = "test_exercises.py"
BUG_TESTS = "bughunt/test_bughunt.py"

# pytest puts the workspace's folders on sys.path, so a workspace file named
# like a module would shadow it; and these names are the workspace's own files.
_TAKEN = {"conftest", "test_exercises", "test_bughunt", "bughunt", "tinynet", "numpy", "pytest",
          "hypothesis", "_pytest"}


class CatalogError(ValueError):
    """A problem folder that is incomplete or wrong; the message names the folder."""


@dataclass(frozen=True)
class Problem:
    """One exercise or bug-hunt layer, as its folder defines it."""
    name: str
    definition: Exercise | Bug
    template: Path          # the file holding its code
    module: str             # that file's import name
    check: object           # the definition's check (a bug's defaults to its exercise's)

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


def discover(folder, package, exercises=()):
    """The problems in ``folder``'s subfolders, imported as ``package.<name>.problem``.

    A bug whose ``template`` names an exercise takes its code (and, unless it
    has its own, its check) from that exercise in ``exercises``.
    """
    by_name = {e.name: e for e in exercises}
    found = []
    for sub in sorted(Path(folder).iterdir()):
        if not sub.is_dir() or sub.name.startswith(("_", ".")):
            continue
        _check_name(sub)
        absent = [f for f in ("__init__.py", "problem.py") if not (sub / f).is_file()]
        if absent:
            raise CatalogError(f"{sub} has no {' and no '.join(absent)}: a problem folder holds __init__.py, "
                               "problem.py and (unless it is a bug in an exercise's code) template.py")
        definition = getattr(importlib.import_module(f"{package}.{sub.name}.problem"), "PROBLEM", None)
        if not isinstance(definition, (Exercise, Bug)):
            raise CatalogError(f"{sub / 'problem.py'} must define PROBLEM = Exercise(...) or Bug(...), "
                               f"got {type(definition).__name__}")
        template, module, check = sub / "template.py", f"{package}.{sub.name}.template", definition.check
        if isinstance(definition, Bug):
            if definition.template is not None:
                if definition.template not in by_name:
                    raise CatalogError(f"{sub / 'problem.py'}: template={definition.template!r} names no "
                                       f"exercise (there are {', '.join(sorted(by_name))})")
                base = by_name[definition.template]
                template, module, check = base.template, base.module, check or base.check
            reported = BUG_KINDS + GRADER_FINDINGS + tuple(m.kind for m in getattr(check, "mistakes", ()))
            if definition.kind not in reported:
                raise CatalogError(f"{sub / 'problem.py'}: kind {definition.kind!r} is none of what the grader "
                                   f"reports ({', '.join(reported)})")
        if not template.is_file():
            raise CatalogError(f"{sub} has no template.py (the code of the problem)")
        if check is None:
            raise CatalogError(f"{sub / 'problem.py'}: a bug with its own template.py needs check=...")
        found.append(Problem(sub.name, definition, template, module, check))
    return tuple(sorted(found, key=lambda p: (p.definition.order, p.name)))


EXERCISES = discover(HERE / "problems", f"{__package__}.problems")
BUGS = discover(HERE / "bughunt", f"{__package__}.bughunt", EXERCISES)


def find(name, bughunt=False):
    """The exercise (or bug-hunt layer) called ``name``."""
    for problem in BUGS if bughunt else EXERCISES:
        if problem.name == name:
            return problem
    kind = "bug-hunt layer" if bughunt else "exercise"
    raise KeyError(f"no {kind} named {name!r}")
