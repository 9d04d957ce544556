"""Grade a student's workspace: each exercise's backward against finite differences.

The workspace's ``test_workspace.py`` calls :func:`grade` once per exercise.
Every way an exercise can be unfinished or wrong ends as ONE failing test
with a message saying what is missing or which gradient is wrong -- never
a crash of the whole run: a file that does not import, a class that is
gone, a backward that still raises NotImplementedError, a backward that
raises something else, or gradients that gradcheck rejects (its report,
with the hint that names a classic bug, is the message).
"""
import importlib.util
import traceback
from pathlib import Path

import numpy as np

import tinynet as tn
from tinynet.nn import Layer

from .catalog import BUGS, EXERCISES

_CLASS = {e.name: e.cls for e in EXERCISES}
_BUG_CLASS = {b.name: b.cls for b in BUGS}


class _LossAsLayer(Layer):
    """A loss (or penalty) with its target fixed, seen by gradcheck as a layer
    whose input is the loss's first argument and whose output is the 0-d loss."""

    def __init__(self, loss, *target):
        super().__init__()
        self.loss, self.target = loss, target

    def forward(self, x):
        value, cache = self.loss.forward(x, *self.target)
        return np.asarray(value, dtype=np.float64), cache

    def backward(self, dout, cache):
        return self.loss.backward(float(dout), cache)


def _as_layer(loss, *target):
    # Named after the student's class, so that reports name it.
    cls = type(type(loss).__name__, (_LossAsLayer,), {})
    return cls(loss, *target)


def _away_from_zero(rng, shape):
    """Values in +-[0.2, 2]: far enough from a kink at 0 for finite differences."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, size=shape)


def _problem(name, cls, rng):
    """(layer, x) on which exercise or bug ``name`` is checked."""
    if name in ("linear", "linear_bias", "linear_weight"):
        return cls(4, 3), rng.normal(size=(5, 4))
    if name == "relu":
        return cls(), _away_from_zero(rng, (4, 5))
    if name == "leaky_relu":
        return cls(negative_slope=0.1), _away_from_zero(rng, (4, 5))
    if name in ("sigmoid", "tanh"):
        return cls(), rng.normal(size=(4, 5)) * 1.5
    if name == "batchnorm":
        layer = cls(4)
        # gamma = 1, beta = 0 would hide a bug that confuses them.
        layer.weight.data = rng.uniform(0.5, 2.0, size=4)
        layer.bias.data = rng.normal(size=4)
        return layer, rng.normal(size=(6, 4)) * 2.0 + 0.5
    if name in ("dropout", "dropout_return"):
        return cls(p=0.4), rng.normal(size=(5, 6))
    if name == "softmax_cross_entropy":
        return _as_layer(cls(), rng.integers(0, 4, size=5)), rng.normal(size=(5, 4))
    if name == "mse":
        return _as_layer(cls(), rng.normal(size=(3, 4))), rng.normal(size=(3, 4))
    if name == "l2_penalty":
        return _as_layer(cls(0.3)), rng.normal(size=(3, 4))
    raise KeyError(f"no exercise or bug named {name!r}")


def _file(workspace, name, bughunt):
    return Path(workspace) / ("bughunt" if bughunt else "") / f"{name}.py"


def _load(path):
    spec = importlib.util.spec_from_file_location(f"tinynet_workspace_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GradingError(Exception):
    """The exercise cannot be graded or is not finished; the message says why."""


def _where(exc, path):
    """' (line N: code)' for the deepest frame of the traceback in the student's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""


def _say(lang, en, ko):
    """The message in the workspace's language(s): "en", "ko" or "both"."""
    return {"en": en, "ko": ko}.get(lang, f"{en}\n{ko}")


def check(workspace, name, bughunt=False, lang="both"):
    """Run gradcheck on exercise (or bug-hunt file) ``name`` of ``workspace``.

    Returns gradcheck's result. Raises GradingError, with a message for the
    student in ``lang``, when the file does not import, the class is missing,
    or the backward raises (NotImplementedError's message says what to derive).
    """
    path = _file(workspace, name, bughunt)
    shown = f"bughunt/{path.name}" if bughunt else path.name
    cls_name = (_BUG_CLASS if bughunt else _CLASS)[name]
    if not path.is_file():
        raise GradingError(_say(lang, f"{path} is missing: run `python -m tinynet.exercises init` again "
                                      "in a new folder to get a fresh copy",
                                f"{path} 파일이 없습니다: 새 폴더에 `python -m tinynet.exercises init`을 "
                                "다시 실행하여 새 사본을 받으세요"))
    try:
        module = _load(path)
    except Exception as exc:    # a student's file may fail in any way; report it, do not crash
        error = f"{type(exc).__name__}: {exc}{_where(exc, path)}"
        raise GradingError(_say(lang, f"{shown} does not import: {error}",
                                f"{shown}을(를) import할 수 없습니다: {error}")) from None
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise GradingError(_say(lang, f"{shown} no longer defines class {cls_name}; keep its name",
                                f"{shown}에 class {cls_name}이(가) 없습니다: 클래스 이름을 바꾸지 마세요"))
    rng = np.random.default_rng(sum(map(ord, name)))
    tn.manual_seed(0)
    try:
        layer, x = _problem(name, cls, rng)
        if isinstance(layer, Layer):
            layer.double()
        return tn.gradcheck.check_layer(layer, x)
    except NotImplementedError as exc:
        raise GradingError(f"{shown}: {exc}") from None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}{_where(exc, path)}"
        raise GradingError(_say(lang, f"{shown}: {cls_name} raised {error}",
                                f"{shown}: {cls_name}에서 오류가 발생했습니다: {error}")) from None


def passed(result):
    """gradcheck's verdict: every gradient within tolerance and no classic-bug hint."""
    return bool(result.ok)


def grade(workspace, name, bughunt=False, lang="both"):
    """The body of one grading test: fails (pytest.fail) with the reason, or returns."""
    import pytest

    try:
        result = check(workspace, name, bughunt, lang)
    except GradingError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:         # failed outside the except block: no chained traceback
        pytest.fail(message, pytrace=False)
    if not passed(result):
        cls_name = (_BUG_CLASS if bughunt else _CLASS)[name]
        where = f"bughunt/{name}.py" if bughunt else f"{name}.py"
        pytest.fail(_say(lang, f"{where}: {cls_name}.backward does not match the finite differences "
                               "(tinynet.gradcheck):",
                         f"{where}: {cls_name}.backward의 기울기가 수치 미분과 다릅니다 "
                         "(tinynet.gradcheck의 진단):") + f"\n{result}", pytrace=False)
