"""Compare one tensor's analytic and numeric gradients, and name classic bugs.

A classic backward bug leaves a recognisable pattern:
    analytic = c * numeric everywhere, c != 1  ->  "scale" (a missing 1/N or 2),
                                                   "sign" (c = -1), or
                                                   "mean_not_sum" (c = 1/N on a parameter:
                                                   its gradient sums over the batch)
    analytic = numeric transposed              ->  "transpose"
    one side 0 where the other is not          ->  "zeros" (a missing branch or mask)
    no array, the wrong shape, NaN             ->  "none", "shape"/"transpose", "nonfinite"
"""
import numpy as np

from .numeric import error_scale, relative_error
from .result import Hint, TensorCheck, format_index, worst_entries

# Two entries "agree" when they differ by less than this fraction of the
# largest entry: a correct backward is ~1e-10 off, a classic bug order 1.
AGREE = 1e-6


class WrongCount:
    """Stands in for each input's gradient when a multi-input layer's backward
    did not return one gradient per input."""

    def __init__(self, returned, count):
        self.returned, self.count = returned, count


def compare(name, analytic, numeric, instability, values, *, subject, floor, total, tolerance,
            is_parameter, batch_size, h):
    """The TensorCheck of tensor ``name``: its error, worst entries, hints and warnings."""
    attr = name.rsplit(".", 1)[-1]
    if analytic is None:
        return _missing(name, attr, numeric, subject=subject, floor=floor, tolerance=tolerance,
                        is_parameter=is_parameter)
    if isinstance(analytic, WrongCount):
        got = analytic.returned
        what = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (tuple, list))
                else f"a single {type(got).__name__}")
        return _failed(name, None, numeric, Hint(
            "shape", name, f"{subject} takes {analytic.count} inputs, so its backward must return a tuple of "
            f"{analytic.count} gradients, one per input in order; it returned {what}"))
    if not np.all(np.isfinite(numeric)):
        return _failed(name, analytic, numeric, Hint(
            "nonfinite", name, f"the finite differences of {name} are NaN or inf: {subject}.forward "
            f"produced non-finite values when {name} moved by h; check the forward pass first"))
    try:
        if isinstance(analytic, (tuple, list)):
            raise TypeError("a sequence, not an array")
        a = np.asarray(analytic, dtype=np.float64)
    except (TypeError, ValueError):
        what = type(analytic).__name__ + (f" of {len(analytic)}" if isinstance(analytic, (tuple, list)) else "")
        return _failed(name, analytic, numeric, Hint(
            "shape", name, f"{subject}.backward gave a {what} as the gradient of {name}, "
            f"not an array of {name}'s shape {numeric.shape}"))
    if a.shape != numeric.shape:
        return _failed(name, a, numeric, _shape_hint(name, a, numeric, subject))
    if not np.all(np.isfinite(a)):
        bad = ~np.isfinite(a)
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        return _failed(name, a, numeric, Hint(
            "nonfinite", name, f"{subject}'s gradient of {name} has {int(bad.sum())} NaN or inf "
            f"entries, the first at {format_index(name, first)}"))

    error = relative_error(a, numeric, floor)
    ok = error <= tolerance
    # Entries whose finite difference changed with the step size: the
    # numeric side is not to be trusted there (a step crossed a kink). Judged
    # against the whole gradient's norm ``total`` too: a tensor whose gradient
    # is tiny by structure only ever shows rounding noise.
    near_kink = instability > tolerance * max(error_scale(a, numeric, floor), total)
    hints, warnings, note = (), (), ""
    stable = ~near_kink
    stable_error = (float(np.linalg.norm((a - numeric)[stable]) / error_scale(a, numeric, floor))
                    if near_kink.any() else error)
    if not ok and stable_error > tolerance:
        hint = classify(name, a[stable], numeric[stable], subject=subject, is_parameter=is_parameter,
                        batch_size=batch_size,
                        transposed=None if near_kink.any() else (a, numeric))
        hints = (hint,) if hint else ()
    if near_kink.any():
        if not ok and near_kink.all():
            note = "every entry near a kink"
        elif not ok and stable_error <= tolerance:
            note = f"{stable_error:.1e} without the entries near a kink"
        warnings = (_kink_warning(name, values, near_kink, h, ok, stable_error, tolerance),)
    return TensorCheck(name, error, ok, a, numeric, worst_entries(a, numeric, near_kink) if not ok else (),
                       hints, warnings, note)


def classify(name, a, n, *, subject, is_parameter, batch_size, transposed=None):
    """A Hint for a classic pattern in analytic ``a`` vs numeric ``n``, or None."""
    reference = max(float(np.abs(a).max(initial=0.0)), float(np.abs(n).max(initial=0.0)))
    if reference == 0:
        return None
    close = AGREE * reference
    mismatch = np.abs(a - n) > close
    if not mismatch.any():
        return None
    if transposed is not None:
        full_a, full_n = transposed
        if full_a.ndim == 2 and full_a.shape[0] == full_a.shape[1] and np.all(np.abs(full_a.T - full_n) <= close):
            return Hint("transpose", name, f"the analytic gradient of {name} is the numeric one transposed: "
                        f"{_transpose_advice(name)}")
    a_zero, n_zero = np.abs(a) <= close, np.abs(n) <= close
    norm_n = float(np.sum(n * n))
    if norm_n > 0 and not a_zero.all():
        ratio = float(np.sum(a * n)) / norm_n
        if np.all(np.abs(a - ratio * n) <= close):
            return _ratio_hint(name, ratio, subject=subject, is_parameter=is_parameter,
                               batch_size=batch_size, size=n.size)
    if np.all(a_zero[mismatch] ^ n_zero[mismatch]):
        return _zeros_hint(name, a_zero & mismatch, n_zero & mismatch, a.size, subject)
    return None


def _ratio_hint(name, ratio, *, subject, is_parameter, batch_size, size):
    if abs(ratio - 1) <= AGREE:
        return None
    if abs(ratio + 1) <= AGREE:
        return Hint("sign", name, f"analytic = -1 x numeric for every entry of {name}: the sign is flipped "
                    f"(e.g. a - b where b - a is meant, or 1 - y^2 written y^2 - 1)")
    n = batch_size if batch_size and batch_size > 1 else None
    if is_parameter and n and abs(ratio * n - 1) <= AGREE:
        attr = name.rsplit(".", 1)[-1]
        example = ("dout.mean(axis=0) where dout.sum(axis=0) is meant" if attr == "bias"
                   else f"a division by N = {n} that does not belong")
        return Hint("mean_not_sum", name, f"analytic = 1/{n} x numeric for {name}, and {n} is the batch "
                    f"size N: the gradient of a parameter is a SUM over the batch (every row uses the same "
                    f"{attr} and adds its share), but {subject}.backward took the mean (e.g. {example})")
    sign = "the sign is flipped and " if ratio < 0 else ""
    magnitude = abs(ratio)
    reason = "a missing or extra constant factor such as 1/N or 2"
    for count, what in ((n, "the batch size N"), (size if size > 1 else None, f"the number of entries of {name}")):
        if count and abs(magnitude / count - 1) <= AGREE:
            reason = (f"{count} is {what}: a missing 1/{count} (the forward averages over these {count} "
                      f"values, so the gradient carries a 1/{count} too)")
            break
        if count and abs(magnitude * count - 1) <= AGREE:
            reason = f"1/{count}, and {count} is {what}: an extra 1/{count} (divided once too often)"
            break
    else:
        if abs(magnitude - 2) <= AGREE:
            reason = "an extra factor 2"
        elif abs(magnitude - 0.5) <= AGREE:
            reason = "a missing factor 2 (e.g. d(x^2)/dx = 2x)"
    return Hint("scale", name, f"analytic = {ratio:.6g} x numeric for every entry of {name}: "
                f"{sign}{reason}")


def _zeros_hint(name, analytic_only_zero, numeric_only_zero, size, subject):
    k_a, k_n = int(analytic_only_zero.sum()), int(numeric_only_zero.sum())
    if k_n == 0:
        what = "everywhere" if k_a == size else f"at {k_a} of {size} entries where the numeric one is not"
        return Hint("zeros", name, f"the analytic gradient of {name} is 0 {what}, elsewhere they agree: "
                    f"a missing branch or mask -- {subject}.backward leaves out a path by which these entries "
                    f"change the output (e.g. a LeakyReLU's negative slope, or a term of the chain rule)")
    if k_a == 0:
        return Hint("zeros", name, f"the analytic gradient of {name} is nonzero at {k_n} of {size} entries "
                    f"where the numeric one is 0, elsewhere they agree: a missing mask -- these entries do not "
                    f"change the output, so their gradient must be 0 (e.g. ReLU's dx = dout * (x > 0))")
    return Hint("zeros", name, f"analytic and numeric gradients of {name} are nonzero at different entries "
                f"({k_a} zero only in the analytic, {k_n} only in the numeric), elsewhere they agree: "
                f"a wrong mask or branch (e.g. x < 0 where x > 0 is meant)")


def _transpose_advice(name):
    if name.rsplit(".", 1)[-1] == "weight":
        return "it must have the parameter's shape (out, in), e.g. dW = dout.T @ x rather than x.T @ dout"
    return "compute it in the tensor's own layout (swap the factors of the product, or transpose)"


def _shape_hint(name, a, numeric, subject):
    if a.ndim == 2 and a.shape == numeric.shape[::-1]:
        matches = np.allclose(a.T, numeric, rtol=AGREE, atol=AGREE * float(np.abs(numeric).max(initial=0.0)))
        values = " (transposed back, it matches the numeric gradient)" if matches else ""
        return Hint("transpose", name, f"{subject}'s gradient of {name} has shape {a.shape}, the transpose of "
                    f"{name}'s shape {numeric.shape}{values}: {_transpose_advice(name)}")
    advice = ""
    if a.ndim == numeric.ndim + 1 and a.shape[1:] == numeric.shape:
        advice = f": a batch of {a.shape[0]} gradients, not yet summed over the batch (sum over axis 0)"
    elif a.size == numeric.size:
        advice = f": the same number of entries, in the wrong layout (reshape to {numeric.shape})"
    return Hint("shape", name, f"{subject}'s gradient of {name} has shape {a.shape}, but {name} has shape "
                f"{numeric.shape}{advice}")


def _missing(name, attr, numeric, *, subject, floor, tolerance, is_parameter):
    zeros = np.zeros_like(numeric)
    if is_parameter:
        error = relative_error(zeros, numeric, floor)
        if error <= tolerance:      # an unused parameter: no gradient is the right answer
            return TensorCheck(name, error, True, None, numeric)
        message = (f"{subject}.backward never set the gradient of parameter {name!r} (its .grad is still None), "
                   f"but the output depends on it: add it with self.{attr}.accumulate_grad(d{attr}), "
                   f"an array of shape {numeric.shape}")
    else:
        message = (f"{subject}.backward returned None instead of the gradient with respect to its input {name}: "
                   f"it must return an array of {name}'s shape {numeric.shape} (did it forget `return dx`?)")
    return _failed(name, None, numeric, Hint("none", name, message))


def _failed(name, analytic, numeric, hint):
    return TensorCheck(name, float("inf"), False, analytic, numeric, (), (hint,))


def _kink_warning(name, values, near_kink, h, ok, stable_error, tolerance):
    count = int(near_kink.sum())
    first = tuple(int(i) for i in np.argwhere(near_kink)[0])
    value = f" = {float(values[first]):.3g}" if values is not None else ""
    message = (f"{count} of {near_kink.size} entries of {name} (e.g. {format_index(name, first)}{value}) are "
               f"within the finite-difference step h = {h:g} of a kink: moving them by h carries a value across "
               f"a point where a slope jumps (such as a ReLU input crossing 0), so the numeric estimate there "
               f"changes with the step size and cannot be trusted.")
    if not ok and near_kink.all():
        message += f" That is every entry, so {name} cannot be checked at this point."
    elif not ok and stable_error <= tolerance:
        message += (f" The mismatch is the finite difference's, not the backward's: without these entries "
                     f"the relative error is {stable_error:.1e}.")
    elif not ok:
        message += " The other entries disagree too: see the hint and the worst entries."
    return Hint("kink", name, message + " Keep inputs a few h away from kinks "
                "(tinynet.testing.away_from_kinks) or pass a smaller h.")
