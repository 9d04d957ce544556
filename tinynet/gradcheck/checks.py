"""check_layer, check_loss, check_function: one backward against finite differences."""
import inspect

import numpy as np

from ..nn.layer import Layer
from ..nn.module import Module
from ..nn.tape import no_grad
from ..random import manual_seed
from .diagnose import WrongCount, compare
from .numeric import finite_differences
from .result import TOLERANCE, GradcheckResult, Hint


def check_layer(layer, x, seed=0, h=1e-3, tolerance=TOLERANCE):
    """Check a layer's (or model's) input and parameter gradients.

    ``layer`` is a Layer (its ``forward(x) -> (out, cache)`` and
    ``backward(dout, cache) -> dx`` pair is used), any object with that pair,
    or a container Module (``layer(x)``, then ``layer.backward(G, input_grad=True)``).
    ``x`` is the input, or a tuple of inputs for a multi-input layer
    (``forward(a, b) -> (out, cache)``, ``backward -> (da, db)``), checked as
    "x0", "x1", ... The parameters must be float64 (``layer.double()``); x is
    copied to float64. Random layers (Dropout) see the same masks in every
    evaluation: the global generator is reset to ``seed`` before each forward.

    Backward runs once with a random upstream gradient G (never all ones: it
    hides bugs), and must leave G untouched. Parameter gradients are reset
    first and left holding the analytic ones; buffers (BatchNorm's running
    statistics) are restored afterwards. Returns a GradcheckResult.
    """
    subject = type(layer).__name__
    single = not isinstance(x, tuple)
    inputs = [np.array(v, dtype=np.float64) for v in ((x,) if single else x)]
    names = ["x"] if single else [f"x{i}" for i in range(len(inputs))]
    container = isinstance(layer, Module) and not isinstance(layer, Layer)
    if not container and not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
        raise TypeError(f"check_layer needs a layer with forward and backward methods, got {subject}")
    params = list(layer.named_parameters()) if hasattr(layer, "named_parameters") else []
    for name, p in params:
        if np.asarray(p.data).dtype != np.float64:
            raise TypeError(f"check_layer needs float64 parameters, but {subject}'s {name} is "
                            f"{np.asarray(p.data).dtype}: call layer.double() first")
    saved = layer.state_dict() if hasattr(layer, "state_dict") else None
    try:
        return _check_layer(layer, subject, inputs, names, single, container, params, seed, h, tolerance)
    finally:
        if saved is not None:
            _restore(layer, saved)


def _check_layer(layer, subject, inputs, names, single, container, params, seed, h, tolerance):
    # Every pass gets fresh copies of the inputs: a forward that writes into
    # its input (x[x < 0] = 0) must not corrupt the finite differences.
    def forward():
        manual_seed(seed)
        if container:
            with no_grad():
                return layer(*[v.copy() for v in inputs])
        return _out_and_cache(layer.forward(*[v.copy() for v in inputs]), subject)[0]

    for _, p in params:
        p.grad = None
    given = [v.copy() for v in inputs]
    manual_seed(seed)
    if container:
        out = layer(*given)
    else:
        out, cache = _out_and_cache(layer.forward(*given), subject)
    # A stream of its own, so G never coincides with data drawn from `seed`.
    upstream = _random_like(out, seed)
    dout = upstream.copy() if isinstance(upstream, np.ndarray) else upstream
    if container:
        grads = layer.backward(dout, input_grad=True)
    else:
        grads = layer.backward(dout, cache)
    hints = []
    if isinstance(upstream, np.ndarray) and not np.array_equal(dout, upstream):
        hints.append(Hint("dout_modified", "dout", f"{subject}.backward modified dout (the upstream gradient) in "
                          "place, e.g. with dout *= mask or dout[x <= 0] = 0: the caller's gradient is then wrong. "
                          "Compute a new array instead (dx = dout * mask)"))
    for name, original, seen in zip(names, inputs, given):
        if not np.array_equal(original, seen, equal_nan=True):
            hints.append(Hint("input_modified", name, f"{subject} modified its input {name} in place (e.g. "
                              "x[x < 0] = 0 in forward): the caller's array changes under it. Compute a new "
                              "array instead (np.maximum(x, 0))"))
    input_grads = _split_input_grads(grads, single, len(inputs))
    analytic = {name: _copy(g) for name, g in zip(names, input_grads)}
    analytic.update((name, _copy(p.grad)) for name, p in params)
    if not container and params and _accepts_need_dx(layer.backward):
        hints.extend(_need_dx_hints(layer, subject, inputs, params, analytic, upstream, seed))

    numeric = {}
    for name, value in zip(names, inputs):
        numeric[name] = finite_differences(forward, value, upstream, h) + (value,)
    for name, p in params:
        numeric[name] = finite_differences(forward, p.data, upstream, h) + (p.data.copy(),)
    batch = inputs[0].shape[0] if inputs[0].ndim else None
    details = _compare_all(analytic, numeric, subject, tolerance, h, batch,
                           parameters={name for name, _ in params}, floor_fraction=1e-3)
    return GradcheckResult(subject, details, tolerance, hints)


def check_loss(loss_fn, input, target, h=1e-3, tolerance=TOLERANCE, dout=1.0):
    """Check a loss's gradient d loss / d input (e.g. the logits), in float64.

    ``loss_fn.forward(input, target)`` returns ``(loss, cache)`` and
    ``loss_fn.backward(dout, cache)`` the gradient (contract C2b); a loss whose
    forward returns only the value is called as ``loss_fn.backward(dout)``.
    ``dout`` = d(final loss)/d(loss), 1.0 normally. Returns a GradcheckResult
    with the one tensor "input".
    """
    subject = type(loss_fn).__name__
    values = np.array(input, dtype=np.float64)

    def loss():
        result = loss_fn.forward(values, target)
        return result[0] if isinstance(result, tuple) else result

    result = loss_fn.forward(values, target)
    if isinstance(result, tuple):
        if len(result) != 2:
            raise TypeError(f"{subject}.forward must return (loss, cache), got a tuple of {len(result)}")
        grad = loss_fn.backward(dout, result[1])
    else:
        grad = loss_fn.backward(dout)
    analytic = {"input": _copy(grad)}
    numeric = {"input": finite_differences(loss, values, dout, h) + (values,)}
    batch = values.shape[0] if values.ndim else None
    details = _compare_all(analytic, numeric, subject, tolerance, h, batch, parameters=set(), floor_fraction=0.0)
    return GradcheckResult(subject, details, tolerance)


def check_function(f, df, x, h=1e-3, tolerance=TOLERANCE, seed=0):
    """Check a hand-written derivative ``df`` of a function ``f`` of one array.

    If ``f(x)`` is a number, ``df(x)`` is its gradient (x's shape): e.g. the
    L2 penalty f(w) = lam * sum(w**2) and df(w) = 2 * lam * w. If ``f(x)`` is
    an array, ``df(x, dout)`` is the vector-Jacobian product dout^T J (x's
    shape), checked with a random dout (for an elementwise f: dout * f'(x)).
    A float64 array x is perturbed in place (and restored), so ``f`` may also
    read it through a closure. Returns a GradcheckResult with the tensor "x".
    """
    subject = getattr(f, "__name__", type(f).__name__)
    if isinstance(x, np.ndarray):
        if x.dtype != np.float64:
            raise TypeError(f"check_function needs a float64 x, got {x.dtype}: pass x.astype(np.float64)")
    else:
        x = np.array(x, dtype=np.float64)
    y = f(x)
    hints = []
    if np.ndim(y) == 0:
        upstream = 1.0
        grad = df(x)
    else:
        upstream = _random_like(y, seed)
        if _positional_count(df) == 1:
            raise TypeError(f"{subject} returns an array, so df must take (x, dout) and return the gradient "
                            "dout^T J of x's shape (for an elementwise f: dout * f'(x)); yours takes one argument")
        dout = upstream.copy()
        grad = df(x, dout)
        if not np.array_equal(dout, upstream):
            hints.append(Hint("dout_modified", "dout", f"{getattr(df, '__name__', 'df')} modified dout in place; "
                              "compute a new array instead"))
    analytic = {"x": _copy(grad)}
    numeric = {"x": finite_differences(lambda: f(x), x, upstream, h) + (x.copy(),)}
    batch = x.shape[0] if x.ndim else None
    details = _compare_all(analytic, numeric, subject, tolerance, h, batch, parameters=set(), floor_fraction=0.0)
    return GradcheckResult(subject, details, tolerance, hints)


def _compare_all(analytic, numeric, subject, tolerance, h, batch, parameters, floor_fraction):
    # A gradient that is tiny next to the whole gradient (zero by structure, or
    # nearly so, like the weights feeding BatchNorm) is measured against 1e-3
    # of the whole gradient's norm: with a 1e-7 tolerance, any discrepancy
    # above 1e-10 of the whole gradient still shows.
    measurable = [np.linalg.norm(a) for a in analytic.values()
                  if isinstance(a, np.ndarray) and a.dtype.kind == "f" and np.all(np.isfinite(a))]
    total = float(np.sqrt(sum(v ** 2 for v in measurable)))
    return {name: compare(name, analytic[name], *numeric[name], subject=subject,
                          floor=floor_fraction * total, total=total,
                          tolerance=tolerance, is_parameter=name in parameters, batch_size=batch, h=h)
            for name in analytic}


def _need_dx_hints(layer, subject, inputs, params, analytic, upstream, seed):
    """The input layer of a model runs backward(dout, cache, need_dx=False):
    its parameter gradients must be exactly those of need_dx=True."""
    kept = [p.grad for _, p in params]
    for _, p in params:
        p.grad = None
    manual_seed(seed)
    _, cache = _out_and_cache(layer.forward(*[v.copy() for v in inputs]), subject)
    layer.backward(upstream.copy() if isinstance(upstream, np.ndarray) else upstream, cache, need_dx=False)
    hints = []
    for (name, p), grad in zip(params, kept):
        expected, got = analytic[name], p.grad
        same = (got is None and expected is None) or (
            got is not None and expected is not None and np.shape(got) == np.shape(expected)
            and np.allclose(got, expected, rtol=1e-12, atol=0))
        if not same:
            hints.append(Hint("need_dx", name, f"{subject}.backward(dout, cache, need_dx=False) -- how a model's "
                              f"first layer is called -- gives a different gradient for {name} than "
                              "need_dx=True: skip only the computation of dx, never a parameter's gradient"))
        p.grad = grad
    return hints


def _accepts_need_dx(backward):
    try:
        return "need_dx" in inspect.signature(backward).parameters
    except (TypeError, ValueError):
        return False


def _out_and_cache(result, subject):
    if not isinstance(result, tuple) or len(result) != 2:
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else f"a single {type(result).__name__}"
        raise TypeError(f"{subject}.forward must return (out, cache) -- the output and what backward needs -- "
                        f"but returned {got}")
    return result


def _split_input_grads(grads, single, count):
    if single:
        return [grads]
    if not isinstance(grads, (tuple, list)) or len(grads) != count:
        return [WrongCount(grads, count)] * count     # each input then reports the mismatch
    return list(grads)


def _random_like(out, seed):
    if np.ndim(out) == 0:
        return float(np.random.default_rng([seed, 2024]).normal())
    return np.random.default_rng([seed, 2024]).normal(size=np.shape(out))


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


def _restore(layer, saved):
    """Put the state back: the many forward passes moved BatchNorm's running statistics."""
    if hasattr(layer, "load_state_dict"):
        layer.load_state_dict(saved)
