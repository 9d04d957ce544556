"""What a gradient check returns: a verdict, per-tensor errors, and a readable report."""
import dataclasses
import types
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..text import Text, check_language
from .report import render

# Richardson-extrapolated differences in float64 agree with a correct backward
# to about 1e-10 (see numeric.py); a wrong backward is off by order 1.
TOLERANCE = 1e-7

# The kinds of Hint that mean "this gradient is wrong" (a warning is not one).
BUG_KINDS = ("scale", "sign", "transpose", "zeros", "mean_not_sum", "dout_ignored", "swapped", "batch_statistic",
             "form", "none", "shape", "nonfinite", "dout_modified", "input_modified", "need_dx")
WARNING_KINDS = ("kink",)


@dataclass(frozen=True)
class Hint:
    """A diagnosis: ``kind`` (a code such as "sign", always English), the
    ``tensor`` it is about ("x", "weight", ...; "dout" for the upstream
    gradient), its ``text`` in English and Korean, and the ``message`` in the
    check's language ``lang``."""
    kind: str
    tensor: str
    text: Text
    lang: str = "en"

    @property
    def message(self):
        return self.text.pick(self.lang)

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

    ``error`` is the relative error over all entries (``inf`` when none can
    be measured: a missing, misshapen or non-finite gradient); ``ok`` the
    verdict, which may pass a tensor whose only mismatches lie at a kink
    (see the "kink" warning); ``analytic`` is what backward produced (None
    if nothing), ``numeric`` the finite-difference estimate; ``worst`` the
    entries that differ most; ``hints`` the bugs recognised, ``warnings``
    the reasons to distrust the numeric side; ``error_off_kinks`` the
    relative error without the entries near a kink (None if there are none,
    or nothing else); ``note`` a remark on the error.
    """
    name: str
    error: float
    ok: bool
    analytic: object
    numeric: np.ndarray
    worst: tuple = ()
    hints: tuple = ()
    warnings: tuple = ()
    error_off_kinks: float = None
    note: Text = None


class GradcheckResult(Mapping):
    """The outcome of ``check_layer`` / ``check_loss`` / ``check_function``.

    A read-only mapping tensor name -> relative error, so ``result["x"]``,
    ``max(result.values())`` and ``dict(result)`` work, plus:

    ``ok``        True when every tensor passed and no bug was found. A tensor
                  passes when its error is at most ``tolerance``, or when its
                  only mismatches are entries within the step h of a kink at
                  which the backward gives the slope of one side (a "kink"
                  warning says so)
    ``tolerance`` the bound the errors are judged against
    ``details``   name -> TensorCheck (analytic, numeric, worst entries, hints)
    ``hints``     every Hint (kind, tensor, message) for a recognised bug
    ``layer_hints`` those about the layer as a whole (dout or an input modified, need_dx)
    ``warnings``  every warning Hint (kind "kink": a finite difference crossed a kink)
    ``failed``    the names of the tensors that failed
    ``lang``      the language of the report and messages: "en", "ko" or "both"
    ``str(result)`` is the full report; ``result.report(lang)`` gives it in another language.
    """

    def __init__(self, subject, details, tolerance=TOLERANCE, hints=(), lang="en"):
        self.subject = subject
        self.tolerance = tolerance
        self.lang = check_language(lang)

        def bind(found):
            return tuple(dataclasses.replace(h, lang=self.lang) for h in found)

        details = {name: dataclasses.replace(check, hints=bind(check.hints), warnings=bind(check.warnings))
                   for name, check in details.items()}
        self.details = types.MappingProxyType(details)      # read-only, like the result
        self.layer_hints = bind(hints)
        self.hints = self.layer_hints + tuple(h for check in details.values() for h in check.hints)
        self.warnings = tuple(w for check in details.values() for w in check.warnings)
        self.failed = tuple(name for name, check in details.items() if not check.ok)
        self.ok = not self.failed and not self.hints

    # -- the mapping: name -> relative error ---------------------------------
    def __getitem__(self, name):
        return self.details[name].error

    def __iter__(self):
        return iter(self.details)

    def __len__(self):
        return len(self.details)

    def __repr__(self):
        errors = ", ".join(f"{name!r}: {check.error:.2g}" for name, check in self.details.items())
        return f"<GradcheckResult of {self.subject}: {'ok' if self.ok else 'FAILED'}, {{{errors}}}>"

    def _repr_pretty_(self, printer, cycle):     # Jupyter / IPython show the report
        printer.text(str(self))

    # -- the report ----------------------------------------------------------
    def report(self, lang=None):
        """The report in ``lang`` ("en", "ko" or "both"; by default the check's language)."""
        lang = self.lang if lang is None else check_language(lang)
        if lang == "both":
            return f"{render(self, 'en')}\n\n{render(self, 'ko')}"
        return render(self, lang)

    def __str__(self):
        return self.report()


__all__ = ["BUG_KINDS", "Entry", "GradcheckResult", "Hint", "TOLERANCE", "TensorCheck", "WARNING_KINDS"]
