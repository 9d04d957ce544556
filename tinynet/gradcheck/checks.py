"""check_layer, check_loss, check_function: one backward against finite differences."""
import inspect

import numpy as np

from ..text import Text, language
from .diagnose import Setting, WrongCount, compare
from .factors import hyperparameters
from .inputs import check_parameters, input_array, refuse_empty, refuse_nonfinite
from .layer_hints import modified_hints, need_dx_hints, with_swaps
from .numeric import estimate
from .result import TOLERANCE, GradcheckResult
from .subject import is_container, random_upstream, run_backward, run_forward


def check_layer(layer, x, seed=0, h=1e-3, tolerance=TOLERANCE, lang=None):
    """Check a layer's (or model's) input and parameter gradients.

    ``layer`` is a Layer (its ``forward(x) -> (out, cache)`` and
    ``backward(dout, cache) -> dx`` pair is used), any object with that pair,
    or a container Module (``layer(x)``, then ``layer.backward(G, input_grad=True)``).
    ``x`` is the input, or a tuple of inputs for a multi-input layer
    (``forward(a, b) -> (out, cache)``, ``backward -> (da, db)``), checked as
    "x0", "x1", ... The parameters must be float64 (``layer.double()``); x is
    copied to float64. Inputs and parameters must be finite, and the batch
    not empty. Random layers (Dropout) see the same masks in every
    evaluation: the global generator is reset to ``seed`` before each forward.

    Backward runs once with a random upstream gradient G (never all ones: it
    hides bugs), and must leave G untouched. Parameter gradients are reset
    first and left holding the analytic ones; buffers (BatchNorm's running
    statistics) are restored afterwards. ``lang`` ("en", "ko" or "both";
    default $TINYNET_LANG, else "en") is the language of the report, the
    hints and the errors. Returns a GradcheckResult.
    """
    lang = language(lang)
    subject = type(layer).__name__
    container = is_container(layer)
    if not container and not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
        raise TypeError(Text(f"check_layer needs a layer with forward and backward methods, got {subject}",
                             f"check_layer에는 forward와 backward 메서드가 있는 계층이 필요한데 {subject}을(를) "
                             "받았습니다").pick(lang))
    single = not isinstance(x, tuple)
    names = ["x"] if single else [f"x{i}" for i in range(len(x))]
    inputs = [input_array(v, name, "check_layer", lang) for v, name in zip((x,) if single else x, names)]
    params = list(layer.named_parameters()) if hasattr(layer, "named_parameters") else []
    check_parameters(params, subject, "check_layer", lang)
    saved = layer.state_dict() if hasattr(layer, "state_dict") else None
    try:
        return _check_layer(layer, subject, inputs, names, single, params, seed, h, tolerance, lang)
    finally:
        if saved is not None:       # the many forward passes moved BatchNorm's running statistics
            layer.load_state_dict(saved)


def _check_layer(layer, subject, inputs, names, single, params, seed, h, tolerance, lang):
    # Every pass gets fresh copies of the inputs: a forward that writes into
    # its input (x[x < 0] = 0) must not corrupt the finite differences.
    def forward():
        return run_forward(layer, [v.copy() for v in inputs], seed, record=False, lang=lang)[0]

    for _, p in params:
        p.grad = None
    given = [v.copy() for v in inputs]
    out, cache = run_forward(layer, given, seed, lang=lang)
    upstream = random_upstream(out, seed)
    dout = upstream.copy() if isinstance(upstream, np.ndarray) else upstream
    grads = run_backward(layer, dout, cache)
    hints = modified_hints(subject, upstream, dout, names, inputs, given)
    input_grads = [grads] if single else _split(grads, len(inputs))
    analytic = {name: _copy(g) for name, g in zip(names, input_grads)}
    analytic.update((name, _copy(p.grad)) for name, p in params)
    if not is_container(layer) and params and layer._accepts_need_dx:
        hints.extend(need_dx_hints(layer, subject, inputs, params, analytic, upstream, seed, lang))

    setting = _setting(subject, tolerance, h, inputs[0], hyperparameters(layer), analytic, floor_fraction=1e-3)
    tensors = [(name, value, False) for name, value in zip(names, inputs)]
    tensors += [(name, p.data, True) for name, p in params]
    details = {}
    for name, value, is_parameter in tensors:
        found = estimate(forward, value, upstream, h)
        details[name] = compare(name, analytic[name], found, value.copy(), setting, is_parameter,
                                _ones(forward, value, upstream, h))
    return GradcheckResult(subject, with_swaps(details), tolerance, hints, lang)


def check_loss(loss_fn, input, target, h=1e-3, tolerance=TOLERANCE, dout=None, seed=0, lang=None):
    """Check a loss's gradient d loss / d input (e.g. the logits), in float64.

    ``loss_fn.forward(input, target)`` returns ``(loss, cache)`` and
    ``loss_fn.backward(dout, cache)`` the gradient. ``dout`` = d(final
    loss)/d(loss) is a random number drawn from ``seed`` unless given (with
    1.0, a backward that ignores dout would look right). ``lang`` as in
    ``check_layer``. Returns a GradcheckResult with the one tensor "input".
    """
    lang = language(lang)
    subject = type(loss_fn).__name__
    values = input_array(input, "input", "check_loss", lang)
    upstream = random_upstream(0.0, seed) if dout is None else dout

    def loss():
        return run_forward(loss_fn, (values, target), seed, lang=lang)[0]

    _, cache = run_forward(loss_fn, (values, target), seed, lang=lang)
    analytic = _copy(loss_fn.backward(upstream, cache))
    setting = _setting(subject, tolerance, h, values, hyperparameters(loss_fn), {"input": analytic})
    detail = compare("input", analytic, estimate(loss, values, upstream, h), values.copy(), setting,
                     ones=_ones(loss, values, upstream, h))
    return GradcheckResult(subject, {"input": detail}, tolerance, (), lang)


def check_function(f, df, x, h=1e-3, tolerance=TOLERANCE, seed=0, lang=None):
    """Check a hand-written derivative ``df`` of a function ``f`` of one array.

    If ``f(x)`` is a number, ``df(x)`` is its gradient (x's shape): e.g. the
    L2 penalty f(w) = lam * sum(w**2) and df(w) = 2 * lam * w. If ``f(x)`` is
    an array, ``df(x, dout)`` is the vector-Jacobian product dout^T J (x's
    shape), checked with a random dout (for an elementwise f: dout * f'(x)).
    A float64 array x is perturbed in place (and restored), so ``f`` may also
    read it through a closure. ``lang`` as in ``check_layer``. Returns a
    GradcheckResult with the tensor "x".
    """
    lang = language(lang)
    subject = getattr(f, "__name__", type(f).__name__)
    if isinstance(x, np.ndarray) and x.dtype != np.float64:
        raise TypeError(Text(f"check_function needs a float64 x, got {x.dtype}: pass x.astype(np.float64)",
                             f"check_function에는 float64 x가 필요한데 {x.dtype}을(를) 받았습니다. "
                             "x.astype(np.float64)를 넘기세요").pick(lang))
    if isinstance(x, np.ndarray):
        refuse_empty(x, "x", "check_function", lang)
        refuse_nonfinite(x, "x", "check_function", lang)
    else:
        x = input_array(x, "x", "check_function", lang)
    y = f(x)
    hints = []
    if np.ndim(y) == 0:
        upstream = 1.0
        grad = df(x)
    else:
        upstream = random_upstream(y, seed)
        if _positional_count(df) == 1:
            raise TypeError(Text(
                f"{subject} returns an array, so df must take (x, dout) and return the gradient dout^T J of x's "
                "shape (for an elementwise f: dout * f'(x)); yours takes one argument",
                f"{subject}이(가) 배열을 돌려주므로 df는 (x, dout)을 받아 x와 같은 모양의 기울기 dout^T J를 "
                "돌려주어야 합니다(원소별 함수라면 dout * f'(x)). 그런데 인자를 하나만 받습니다").pick(lang))
        dout = upstream.copy()
        grad = df(x, dout)
        hints = modified_hints(getattr(df, "__name__", "df"), upstream, dout, (), (), ())
    setting = _setting(subject, tolerance, h, None, {}, {"x": _copy(grad)})
    detail = compare("x", _copy(grad), estimate(lambda: f(x), x, upstream, h), x.copy(), setting,
                     ones=_ones(lambda: f(x), x, upstream, h))
    return GradcheckResult(subject, {"x": detail}, tolerance, hints, lang)


def _setting(subject, tolerance, h, first_input, hyper, analytic, floor_fraction=0.0):
    """The Setting of a check; the batch size N is the first axis of the first input (None: no batch)."""
    # A gradient that is tiny next to the whole gradient (zero by structure, or
    # nearly so, like the weights feeding BatchNorm) is measured against 1e-3
    # of the whole gradient's norm: with a 1e-7 tolerance, any discrepancy
    # above 1e-10 of the whole gradient still shows.
    measurable = [np.linalg.norm(a) for a in analytic.values()
                  if isinstance(a, np.ndarray) and a.dtype.kind == "f" and np.all(np.isfinite(a))]
    total = float(np.sqrt(sum(v ** 2 for v in measurable)))
    batch = first_input.shape[0] if first_input is not None and first_input.ndim else None
    return Setting(subject, tolerance, h, batch, hyper, floor_fraction * total, total)


def _ones(f, x, upstream, h):
    """The numeric gradient for an all-ones dout, on demand; None when dout is all ones already."""
    if np.all(np.asarray(upstream) == 1.0):
        return None
    return lambda: estimate(f, x, np.ones_like(upstream), h).grad


def _split(grads, count):
    if not isinstance(grads, (tuple, list)) or len(grads) != count:
        return [WrongCount(grads, count)] * count     # each input then reports the mismatch
    return list(grads)


def _copy(g):
    """A private float copy of a gradient (None and odd values pass through to the diagnosis)."""
    if isinstance(g, np.ndarray) and g.dtype.kind in "fiu":
        return g.astype(np.float64, copy=True)
    return g


def _positional_count(fn):
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
