"""What an exercise is: a folder with its code, its texts and its check.

An exercise is a folder ``problems/<name>/`` of four files; adding one
touches nothing else (the workspace, its grader and its README find it):

``__init__.py``
    empty: makes the folder an importable package.
``template.py``
    the code, a real module. The part the student writes stands between the
    lines ``# BEGIN SOLUTION`` and ``# END SOLUTION``; the ``# TODO`` comments
    inside say what to write. ``init`` writes the TODO lines and a
    ``raise NotImplementedError(<missing>)`` in its place, ``init --solutions``
    the code without the markers (see template.py of this package).
``problem.toml``
    what the student reads, in English (``en``) and Korean (``ko``), and the
    place in the workspace (``order``: ascending, then by name)::

        order = 20

        [title]
        en = "He initialisation"
        ko = "He 초기화"

        [statement]
        en = '''
        Derive the std that keeps ...'''
        ko = '''
        ...'''

        [missing]
        en = "he_std is not written yet: ..."
        ko = "he_std가 아직 작성되지 않았습니다: ..."

    ``missing`` is the blank's NotImplementedError message. A
    ``ReferenceCheck`` with mistakes written as functions adds the cause of
    each, a table ``[mistakes.<the function's name>]`` with ``en`` and ``ko``.
``check.py``
    ``CHECK``: how the grader checks the student's code (below), and what
    the check needs (its reference, its cases, its mistakes).

A bug-hunt layer is a folder ``bughunt/<name>/`` with ``__init__.py`` and a
``problem.toml`` holding ``order``, ``[title]``, ``fixed`` (a line of the
fixed code), ``buggy`` (what replaces the one line containing ``fixed``:
the planted bug), ``kind`` (what the grader must report: a gradcheck hint
kind, one of checks.GRADER_FINDINGS, or the kind of one of the check's
mistakes) and ``tensor`` (the gradient it breaks, "x" or a parameter name,
or for a ReferenceCheck the argument it gets wrong). The fixed code is an
exercise's solution, named by ``template = "linear"`` (the check is that
exercise's), or a ``template.py`` beside it, graded by a ``check.py``. Its
statement says how it is found (:func:`bug_statement`).

The checks:

``LayerCheck``
    a Layer, checked by ``tinynet.gradcheck`` alone, then called ``calls``
    times (on different inputs) before one backward inside a model, so a
    backward that overwrites ``weight.grad`` or keeps its cache on ``self``
    fails.
``LossCheck``
    the same for a loss ``forward(input[, target]) -> (loss, cache)``,
    ``backward(dout, cache) -> dinput``.
``ReferenceCheck``
    a function (an optimizer's update rule, an initialisation formula) or a
    class compared with a reference implementation on a list of cases. Its
    ``mistakes`` are classic wrong versions: when the student's results
    equal one's on every case, the grader names that mistake's cause, as
    gradcheck's hints name a wrong gradient's.

For example, a folder ``problems/he_std/`` whose ``template.py`` holds
``def he_std(fan_in)`` with ``return math.sqrt(2.0 / fan_in)`` between the
markers would have the ``problem.toml`` above and this ``check.py`` (the
real exercises of this kind, ``problems/kaiming_init/`` and
``problems/rmsprop/``, compare with tinynet's own initialisers and
optimizers, and name the classic mistakes)::

    import math

    from tinynet.exercises.problem import ReferenceCheck

    CHECK = ReferenceCheck("he_std", reference=lambda fan_in: math.sqrt(2.0 / fan_in),
                           cases=lambda rng: [(784,), (100,)], against="sqrt(2 / fan_in)")

The folder's name becomes the student's file ``<name>.py`` and the test
``test_<name>``, so it must be a lower-case Python name that no module has.
The project's tests then import the new template, grade its solution and
its blank, and check that the command it prints selects its test alone.
"""
import copy
import math
from dataclasses import dataclass
from typing import Callable

from ..gradcheck import TOLERANCE
from ..text import Text
from .messages import ARGUMENT_AFTER, RETURNED


def normal(shape, scale=1.0, shift=0.0):
    """Inputs drawn from N(shift, scale^2): ``input=normal((5, 4))``."""
    return lambda rng: rng.normal(size=shape) * scale + shift


def away_from_zero(shape, low=0.2, high=2.0):
    """Inputs in +-[low, high]: far enough from a kink at 0 for finite differences."""
    return lambda rng: rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def distinct(shape, gap=0.05):
    """Inputs whose entries are all different, ``gap`` apart or more (a
    shuffled grid around 0): a max pooling never sees a tie, and no
    finite-difference step changes which entry of a window is the largest."""
    size = math.prod(shape)
    return lambda rng: (rng.permutation(size) - size / 2).reshape(shape) * gap


def _at_least_two(check):
    if check.calls < 2:
        raise ValueError(f"{type(check).__name__}({check.name!r}) must call the layer at least twice "
                         f"before one backward (got calls={check.calls}): that is how a backward that "
                         "overwrites a gradient, or keeps its cache on self, is caught")


@dataclass(frozen=True)
class LayerCheck:
    """A layer: ``build(cls, rng)`` makes it from the student's class ``name``;
    ``input(rng)`` draws one input (once per call). Checked with gradcheck
    alone, then called ``calls`` times in one model before one backward."""
    name: str
    build: Callable
    input: Callable
    calls: int = 2
    tolerance: float = TOLERANCE

    def __post_init__(self):
        _at_least_two(self)


@dataclass(frozen=True)
class LossCheck:
    """A loss: ``build(cls, rng)`` makes it; ``forward(input, target)`` with
    ``input(rng)`` and the fixed ``target(rng)``, or ``forward(input)`` when
    ``target`` is None (a penalty). Checked like a layer."""
    name: str
    build: Callable
    input: Callable
    target: Callable | None = None
    calls: int = 2
    tolerance: float = TOLERANCE

    def __post_init__(self):
        _at_least_two(self)


def call(subject, args):
    """ReferenceCheck's default way to run a case: ``subject(*args)``.

    Returns what is compared, by label: the returned value and every
    argument afterwards, so an update made in place (``param -= lr * grad``)
    is compared too. A ``run`` of your own returns such a dict as well
    (labels: ``Text`` or plain strings).
    """
    result = subject(*args)
    compared = {RETURNED: result}
    compared.update((ARGUMENT_AFTER.format(number=i), a) for i, a in enumerate(args, 1))
    return compared


@dataclass(frozen=True)
class Mistake:
    """A classic wrong version of a ReferenceCheck's subject: ``reference``
    has the subject's interface and makes the mistake; ``cause`` says what
    it is and how to fix it; ``kind`` names it in the grader's hint
    ("hint [kind] cause") and in a bug's ``kind``. In a folder's check.py a
    mistake may be the function alone: its name is the kind, and
    problem.toml's ``[mistakes.<kind>]`` the cause."""
    kind: str
    reference: Callable
    cause: Text


@dataclass(frozen=True)
class ReferenceCheck:
    """A function or class ``name`` compared with ``reference``, which has the
    same interface. ``cases(rng)`` gives the argument tuples; ``run(subject,
    args)`` says what to compare (default :func:`call`); a class, such as an
    optimizer, is driven by a ``run`` that makes one and calls its step a few
    times, returning the arrays to compare by label. Numbers and arrays must
    agree within ``rtol`` and ``atol``. When they do not, and the subject's
    results equal those of one of the ``mistakes`` (each a :class:`Mistake`,
    or a function as its docstring says) on every case, that mistake is
    named. ``against`` names the reference for the student (say
    "tinynet.optim.RMSprop")."""
    name: str
    reference: Callable
    cases: Callable
    against: str
    run: Callable = call
    rtol: float = 1e-10
    atol: float = 0.0
    mistakes: tuple = ()

    def runs(self, subject, rng):
        """(case number, arguments, what subject gave, what the reference gave), case by case."""
        for number, args in enumerate(self.cases(rng), 1):
            expected = self.run(self.reference, copy.deepcopy(args))
            yield number, args, self.run(subject, copy.deepcopy(args)), expected


FOUND_BY_GRADCHECK = Text(
    "This code has ONE classic bug. Run the grader, read gradcheck's diagnosis, "
    "find the line and fix it.",
    "이 코드에는 흔한 실수가 하나 있습니다. 채점기를 실행하고 gradcheck의 진단을 읽은 뒤, "
    "잘못된 줄을 찾아 고치세요.")
FOUND_BY_COMPARING = Text(
    "This code has ONE classic bug. Run the grader: it compares the results with those of\n"
    "{reference} and names the mistake. Find the line and fix it.",
    "이 코드에는 흔한 실수가 하나 있습니다. 채점기를 실행하면 결과를\n"
    "{reference}의 결과와 비교하고 실수를 짚어 줍니다. 잘못된 줄을 찾아 고치세요.")


def bug_statement(check):
    """What a bug hunter is told: to read gradcheck's diagnosis, or, for a
    ReferenceCheck, that the results are compared with its reference."""
    if not isinstance(check, ReferenceCheck):
        return FOUND_BY_GRADCHECK
    return FOUND_BY_COMPARING.format(reference=check.against)


@dataclass(frozen=True)
class Exercise:
    """An exercise as its folder defines it (see the module docstring)."""
    title: Text
    statement: Text
    missing: Text           # the blank's NotImplementedError message
    check: LayerCheck | LossCheck | ReferenceCheck
    order: int = 100        # place in the workspace: ascending, then by name


@dataclass(frozen=True)
class Bug:
    """A bug-hunt layer as its folder defines it (see the module docstring):
    ``template`` is the exercise whose solution is the fixed code, or None
    for a template.py of its own; ``check`` is its check.py's, else that
    exercise's."""
    title: Text
    statement: Text
    fixed: str
    buggy: str
    kind: str
    tensor: str
    check: LayerCheck | LossCheck | ReferenceCheck
    template: str | None = None
    order: int = 100
