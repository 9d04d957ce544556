"""Checks ``Module.load_state_dict`` runs before it changes anything."""
from collections.abc import Mapping

import numpy as np


def check_state_dict(model_name, targets, state_dict):
    """The arrays to copy, by name, once every entry fits ``targets``.

    Raises TypeError for a state dict that is not a mapping, and ValueError
    listing every problem at once: missing or unexpected keys, shapes,
    non-numeric or non-finite values, values that do not fit the target's
    dtype (a fraction or 1e30 into an int64 counter), a negative variance.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict expects a mapping of names to arrays (such as "
                        f"model.state_dict()), got {type(state_dict).__name__}")
    problems = _key_problems(targets, state_dict)
    sources = {}
    for name, target in targets.items():
        if name not in state_dict:
            continue
        source = np.asarray(state_dict[name])
        problem = (_layout_problem(name, source.shape, source.dtype, target)
                   or _value_problem(name, source, target.dtype))
        if problem:
            problems.append(problem)
        sources[name] = source
    _refuse(model_name, problems)
    return sources


def check_layout(model_name, targets, keys, layouts):
    """The checks of ``check_state_dict`` that need no values: keys, dtypes, shapes.

    ``keys`` are all the names a file holds, and ``layouts`` maps those the
    model has to the (shape, dtype) the file declares for them, so that a
    file is refused before its data is read.
    """
    problems = _key_problems(targets, keys)
    for name, target in targets.items():
        if name in layouts:
            problem = _layout_problem(name, *layouts[name], target)
            if problem:
                problems.append(problem)
    _refuse(model_name, problems)


def _key_problems(targets, given):
    problems = []
    missing = [k for k in targets if k not in given]
    unexpected = [k for k in given if k not in targets]
    if missing:
        problems.append(f"missing keys: {missing}")
    if unexpected:
        problems.append(f"unexpected keys: {unexpected}")
    return problems


def _layout_problem(name, shape, dtype, target):
    """Why an array of ``shape`` and ``dtype`` cannot be copied into ``target``, or None."""
    if dtype.kind not in "biuf":
        return f"{name}: expected a numeric array, got dtype {dtype}"
    if tuple(shape) != target.shape:
        return f"{name}: shape {tuple(shape)} in the state dict, {target.shape} in the model"
    return None


def _refuse(model_name, problems):
    if problems:
        raise ValueError(f"cannot load state dict into {model_name} (nothing was changed): "
                         + "; ".join(problems))


def _value_problem(name, source, dtype):
    """Why ``source``'s values cannot be stored in ``dtype``, or None."""
    if source.dtype.kind == "f":
        bad = ~np.isfinite(source)
        if bad.any():
            return (f"{name}: {int(bad.sum())} non-finite value(s) (NaN or inf), e.g. "
                    f"{source[bad].flat[0]}; a model saved after training diverged cannot be loaded")
    if dtype.kind in "iu" and source.dtype.kind == "f":
        if np.any(source != np.round(source)):
            return f"{name}: holds fractional values but the model stores {dtype} integers"
    if dtype.kind in "iu" and source.size:
        info = np.iinfo(dtype)
        low, high = source.min(), source.max()
        if low < info.min or high > info.max:
            return (f"{name}: values from {low} to {high} do not fit the model's {dtype} "
                    f"(range [{info.min}, {info.max}])")
    if dtype.kind == "f" and source.size:
        largest = np.abs(source).max()
        if largest > np.finfo(dtype).max:
            return f"{name}: value {largest} overflows the model's {dtype}"
    if name.rsplit(".", 1)[-1] == "running_var" and source.size and source.min() < 0:
        return f"{name}: a variance cannot be negative, got {source.min()}"
    return None
