"""What a gradient check returns: a verdict, per-tensor errors, and a readable report."""
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Richardson-extrapolated differences in float64 agree with a correct backward
# to about 1e-10 (see numeric.py); a wrong backward is off by order 1.
TOLERANCE = 1e-7

# The kinds of Hint that mean "this gradient is wrong" (a warning is not one).
BUG_KINDS = ("scale", "sign", "transpose", "zeros", "mean_not_sum", "none", "shape",
             "nonfinite", "dout_modified", "input_modified", "need_dx")
WARNING_KINDS = ("kink",)


@dataclass(frozen=True)
class Hint:
    """A diagnosis: ``kind`` (a code such as "sign"), the ``tensor`` it is
    about ("x", "weight", ...; "dout" for the upstream gradient), and a
    ``message`` for a person."""
    kind: str
    tensor: str
    message: str

    def __str__(self):
        return f"[{self.kind}] {self.message}"


@dataclass(frozen=True)
class Entry:
    """One entry of a gradient: its index, and the two values compared."""
    index: tuple
    analytic: float
    numeric: float
    near_kink: bool = False


@dataclass(frozen=True)
class TensorCheck:
    """The comparison for one tensor (the input "x", or a parameter such as "weight").

    ``error`` is the relative error (``inf`` when none can be measured: a
    missing, misshapen or non-finite gradient); ``analytic`` is what backward
    produced (None if nothing), ``numeric`` the finite-difference estimate;
    ``worst`` the entries that differ most; ``hints`` the classic bugs
    recognised, ``warnings`` the reasons to distrust the numeric side.
    """
    name: str
    error: float
    ok: bool
    analytic: object
    numeric: np.ndarray
    worst: tuple = ()
    hints: tuple = ()
    warnings: tuple = ()
    note: str = ""


class GradcheckResult(Mapping):
    """The outcome of ``check_layer`` / ``check_loss`` / ``check_function``.

    A read-only mapping tensor name -> relative error, so ``result["x"]``,
    ``max(result.values())`` and ``dict(result)`` work, plus:

    ``ok``        True when every error is at most ``tolerance`` and no bug was found
    ``tolerance`` the bound the errors are judged against
    ``details``   name -> TensorCheck (analytic, numeric, worst entries, hints)
    ``hints``     every Hint (kind, tensor, message) for a recognised bug
    ``warnings``  every warning Hint (kind "kink": the finite difference crossed a kink)
    ``failed``    the names of the tensors that failed
    ``str(result)`` is the full report.
    """

    def __init__(self, subject, details, tolerance=TOLERANCE, hints=()):
        self.subject = subject
        self.tolerance = tolerance
        self.details = dict(details)
        self._layer_hints = tuple(hints)        # about the layer as a whole (dout, inputs, need_dx)
        self.hints = self._layer_hints + tuple(h for check in self.details.values() for h in check.hints)
        self.warnings = tuple(w for check in self.details.values() for w in check.warnings)
        self.failed = tuple(name for name, check in self.details.items() if not check.ok)
        self.ok = not self.failed and not self.hints

    # -- the mapping: name -> relative error ---------------------------------
    def __getitem__(self, name):
        return self.details[name].error

    def __iter__(self):
        return iter(self.details)

    def __len__(self):
        return len(self.details)

    # check_loss used to return a bare float: comparing a result with a number
    # compares its largest error, so ``check_loss(...) < 1e-7`` keeps working.
    def _largest(self, other):
        if isinstance(other, bool) or not isinstance(other, (int, float, np.floating, np.integer)):
            return NotImplemented
        return max(self.values(), default=0.0)

    def __lt__(self, other):
        largest = self._largest(other)
        return largest if largest is NotImplemented else largest < other

    def __le__(self, other):
        largest = self._largest(other)
        return largest if largest is NotImplemented else largest <= other

    def __gt__(self, other):
        largest = self._largest(other)
        return largest if largest is NotImplemented else largest > other

    def __ge__(self, other):
        largest = self._largest(other)
        return largest if largest is NotImplemented else largest >= other

    def __repr__(self):
        errors = ", ".join(f"{name!r}: {check.error:.2g}" for name, check in self.details.items())
        return f"<GradcheckResult of {self.subject}: {'ok' if self.ok else 'FAILED'}, {{{errors}}}>"

    def _repr_pretty_(self, printer, cycle):     # Jupyter / IPython show the report
        printer.text(str(self))

    # -- the report ----------------------------------------------------------
    def __str__(self):
        worst = max(self.values(), default=0.0)
        if self.ok:
            verdict = (f"gradcheck {self.subject}: OK (largest relative error {worst:.1e} "
                       f"<= tolerance {self.tolerance:.0e})")
        else:
            culprits = f" for {', '.join(self.failed)}" if self.failed else ""
            verdict = f"gradcheck {self.subject}: FAILED{culprits} (tolerance {self.tolerance:.0e})"
        width = max((len(name) for name in self.details), default=1)
        lines = [verdict]
        for name, check in self.details.items():
            status = "ok" if check.ok else "FAILED"
            lines.append(f"  {name:<{width}}  {check.error:9.1e}  {status}")
        for hint in self._layer_hints:
            lines.append(_wrap(f"hint {hint}"))
        for check in self.details.values():
            if not check.ok or check.warnings:
                lines.extend(_tensor_report(check))
        return "\n".join(lines)


def _tensor_report(check):
    lines = [""]
    shape = getattr(check.numeric, "shape", ())
    lines.append(f"{check.name} {shape}: relative error {check.error:.3g}" + (f" ({check.note})" if check.note else ""))
    if check.worst:
        lines.append(f"  {'worst entries':<24} {'analytic':>16} {'numeric':>16}")
        for entry in check.worst:
            where = format_index(check.name, entry.index)
            mark = "   (near a kink)" if entry.near_kink else ""
            lines.append(f"    {where:<22} {entry.analytic:16.8g} {entry.numeric:16.8g}{mark}")
    for hint in check.hints:
        lines.append(_wrap(f"hint {hint}"))
    for warning in check.warnings:
        lines.append(_wrap(f"warning {warning}"))
    return lines


def _wrap(text):
    return textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="      ",
                         break_on_hyphens=False, break_long_words=False)


def format_index(name, index):
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name


def worst_entries(analytic, numeric, near_kink, count=3):
    """The ``count`` entries where analytic and numeric differ most."""
    difference = np.abs(analytic - numeric).reshape(-1)
    order = np.argsort(-difference, kind="stable")[:count]
    return tuple(Entry(tuple(int(i) for i in np.unravel_index(k, numeric.shape)),
                       float(analytic.reshape(-1)[k]), float(numeric.reshape(-1)[k]),
                       bool(near_kink.reshape(-1)[k]))
                 for k in order if difference[k] > 0)


__all__ = ["BUG_KINDS", "Entry", "GradcheckResult", "Hint", "TOLERANCE", "TensorCheck", "WARNING_KINDS"]
