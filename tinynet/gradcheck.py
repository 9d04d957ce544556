r"""Check hand-written gradients against finite differences.

The idea: for any function y = f(x) and any fixed upstream gradient G of
y's shape, the scalar s(x) = sum(G * f(x)) has the gradient
    ds/dx = J^T G           (the vector-Jacobian product backward computes).
Central differences estimate it one entry at a time,
    D(h) = (s(x + h e_i) - s(x - h e_i)) / (2h)  =  ds/dx[i] + a h^2 + b h^4 + ...,
and Richardson extrapolation cancels the error terms one by one:
    R(h) = (4 D(h/2) - D(h)) / 3               =  ds/dx[i] + O(h^4)
    E    = (16 R(h/2) - R(h)) / 15             =  ds/dx[i] + O(h^6).
With h = 1e-3 in float64 the truncation error is negligible and the rounding
error is about 1e-16 / h = 1e-13, so a correct backward agrees to about
1e-10 (relative) -- while a wrong one is off by order 1. (A plain central
difference with h = 1e-6 has a rounding error of 1e-10, and cannot resolve
small gradient entries next to O(1) outputs.) The price: x must stay at
least a few h away from any kink (ReLU at 0), so that no step crosses it.

Use a RANDOM G, never all ones: some layers have a backward that an all-ones
G cannot test (BatchNorm's dx is exactly zero for G = 1, whatever bug it has).

Example -- check your own layer::

    import numpy as np, tinynet as tn
    layer = tn.nn.Linear(4, 3).double()
    x = np.random.default_rng(0).normal(size=(5, 4))
    errors = tn.gradcheck.check_layer(layer, x)   # {'x': 9e-13, 'weight': 5e-13, 'bias': 2e-13}
    assert max(errors.values()) < 1e-7
"""
import numpy as np

from .nn.module import Layer, no_grad
from .random import manual_seed


def numerical_gradient(f, x, upstream, h=1e-3):
    """Richardson-extrapolated central-difference estimate of d sum(upstream * f()) / dx.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one
    entry at a time and restored. x must be a float64 array.
    """
    if x.dtype != np.float64:
        raise TypeError(f"finite differences need float64 arrays, got {x.dtype}; use model.double()")
    flat_x = x.reshape(-1)
    if not np.shares_memory(flat_x, x):
        raise ValueError("numerical_gradient needs a contiguous array to perturb in place")

    def central_difference(i, step):
        original = flat_x[i]
        flat_x[i] = original + step
        plus = np.sum(upstream * f())
        flat_x[i] = original - step
        minus = np.sum(upstream * f())
        flat_x[i] = original
        return (plus - minus) / (2 * step)

    grad = np.empty_like(x)
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        d1, d2, d4 = (central_difference(i, h / k) for k in (1, 2, 4))
        r1, r2 = (4 * d2 - d1) / 3, (4 * d4 - d2) / 3
        flat_grad[i] = (16 * r2 - r1) / 15
    return grad


def relative_error(analytic, numeric, floor=0.0):
    """||a - n|| / max(||a|| + ||n||, floor): 0 for a perfect match, 1 for unrelated.

    A norm over the whole array, not per entry: per-entry ratios blow up on
    entries that are zero up to rounding. ``floor`` keeps a gradient that is
    zero by structure (a bias feeding BatchNorm, which removes any constant)
    from being compared with its own rounding noise.
    """
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"shapes differ: analytic {analytic.shape}, numeric {numeric.shape}")
    scale = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), floor)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def check_layer(module, x, seed=0, h=1e-3):
    """Relative errors of a module's gradients: ``{'x': ..., '<param name>': ...}``.

    ``module`` is a Layer (its ``forward``/``backward`` pair is used) or a
    container (``module(x)`` then ``module.backward(G, input_grad=True)``).
    Random layers (Dropout, DropConnect) see the same masks in every
    evaluation because the global generator is reset to ``seed`` before each
    forward pass. Module and x must be float64.
    """
    x = np.array(x, dtype=np.float64) if not isinstance(x, np.ndarray) else x
    is_layer = isinstance(module, Layer)

    def forward():
        manual_seed(seed)
        if is_layer:
            return module.forward(x)[0]
        with no_grad():
            return module(x)

    # Analytic gradients: one forward and one backward with a random G.
    module.zero_grad()
    manual_seed(seed)
    if is_layer:
        out, cache = module.forward(x)
    else:
        out = module(x)
    # A stream of its own, so G never coincides with data drawn from `seed`.
    upstream = np.random.default_rng([seed, 2024]).normal(size=out.shape)
    upstream_copy = upstream.copy()
    dx = module.backward(upstream, cache) if is_layer else module.backward(upstream, input_grad=True)
    if not np.array_equal(upstream, upstream_copy):
        raise AssertionError(f"{type(module).__name__}.backward modified the upstream gradient in place")

    analytic = {"x": dx}
    numeric = {"x": numerical_gradient(forward, x, upstream, h)}
    for name, p in module.named_parameters():
        analytic[name] = p.grad if p.grad is not None else np.zeros_like(p.data)
        numeric[name] = numerical_gradient(forward, p.data, upstream, h)
    # A gradient that is tiny next to the whole gradient (zero by structure, or
    # nearly so, like the weights feeding BatchNorm) is measured against 1e-3
    # of the whole gradient's norm: with a 1e-7 tolerance, any discrepancy
    # above 1e-10 of the whole gradient still shows.
    total = np.sqrt(sum(np.linalg.norm(g) ** 2 for g in analytic.values()))
    return {name: relative_error(analytic[name], numeric[name], floor=1e-3 * total)
            for name in analytic}


def check_loss(loss_fn, logits, labels, h=1e-3):
    """Relative error of a loss's d loss / d logits (float64 logits)."""
    loss_fn(logits, labels)
    analytic = loss_fn.backward()
    numeric = numerical_gradient(lambda: loss_fn.forward(logits, labels), logits, 1.0, h)
    return relative_error(analytic, numeric)
