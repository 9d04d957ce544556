"""Grade a student's workspace: one test per exercise, one message per problem.

The workspace's ``test_exercises.py`` and ``bughunt/test_bughunt.py`` call
:func:`grade` once per test. Every way a file can be unfinished or wrong
ends as ONE failing test with a message saying what is missing or which
gradient is wrong, never a crash of the whole run: a file that does not
import, a class that is gone, a backward that still raises
NotImplementedError, a backward that raises something else, gradients that
gradcheck rejects (its report, with the hint naming a classic bug, is the
message), gradients that are only wrong when the layer is called twice,
or a function whose results differ from the reference's (with a hint when
they are those of a classic mistake; see :mod:`tinynet.exercises.checks`).

Messages are in the language of ``lang=``, else of ``$TINYNET_LANG`` (the
workspace's conftest.py sets it to the language chosen at ``init``).
"""
import importlib.util
import traceback
from pathlib import Path

import numpy as np

from ..text import Text, language
from . import checks, messages
from .messages import say
from .catalog import find


class GradingError(Exception):
    """The exercise cannot be graded or is not finished; the message says why."""


def _load(path):
    spec = importlib.util.spec_from_file_location(f"tinynet_workspace_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _where(exc, path):
    """' (line N: code)' for the deepest frame of the traceback in the student's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == Path(path)]
    return (f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""), frames


def _error(exc, path):
    """The exception, where in the student's file it happened, and a hint when one is sure (a Text)."""
    where, frames = _where(exc, path)
    text = f"{type(exc).__name__}: {exc}{where}"
    if isinstance(exc, TypeError) and "NoneType" in str(exc) and frames and ".grad" in (frames[-1].line or ""):
        return Text(text + messages.GRAD_IS_NONE.en, text + messages.GRAD_IS_NONE.ko)
    return Text(text, text)


def check_module(problem, module, file=None, lang=None, path=None):
    """The Report of ``problem``'s check on ``module`` (a student's file, or the template).

    Raises GradingError, with a message in ``lang``, when the module lacks
    the class or function, or when the code raises (NotImplementedError's
    own message says what to derive).
    """
    lang = language(lang)
    file = file or problem.file
    path = path or getattr(module, "__file__", "")
    name = problem.check.name
    subject = getattr(module, name, None)
    if subject is None:
        raise GradingError(say(messages.NAME_MISSING, lang, file=file, name=name))
    rng = np.random.default_rng(sum(map(ord, problem.name)))
    try:
        return checks.run(problem.check, subject, rng, file, lang)
    except NotImplementedError as exc:
        raise GradingError(f"{file}: {exc}") from None
    except Exception as exc:    # a student's code may fail in any way; report it, do not crash
        raise GradingError(say(messages.RAISED, lang, file=file, name=name, error=_error(exc, path))) from None


def check_file(problem, path, lang=None):
    """Load the student's file ``path`` and check it (see :func:`check_module`)."""
    lang = language(lang)
    path = Path(path)
    if not path.is_file():
        raise GradingError(say(messages.FILE_MISSING, lang, path=path))
    try:
        module = _load(path)
    except Exception as exc:    # a student's file may fail in any way; report it, do not crash
        raise GradingError(say(messages.DOES_NOT_IMPORT, lang, file=problem.file, error=_error(exc, path))) from None
    return check_module(problem, module, problem.file, lang, path)


def check(workspace, name, bughunt=False, lang=None):
    """Check exercise (or bug-hunt layer) ``name`` of ``workspace``: a Report, or GradingError."""
    problem = find(name, bughunt)
    return check_file(problem, Path(workspace) / problem.file, lang)


def grade(workspace, name, bughunt=False, lang=None):
    """The body of one grading test: fails (pytest.fail) with the reason, or returns."""
    import pytest

    try:
        report = check(workspace, name, bughunt, lang)
        message = None if report.ok else report.message
    except GradingError as exc:
        message = str(exc)
    if message is not None:     # failed outside the except block: no chained traceback
        pytest.fail(message, pytrace=False)
