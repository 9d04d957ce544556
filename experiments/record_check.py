"""What a stored seed record must hold before it is reused -- every field of
the right type, and a value a run can produce.

A record comes from disk, so anything may be in it: an older lab's format,
a hand edit, a disk error. :func:`record_problem` checks the shape of a
record; :func:`value_problem` checks its values against the settings it
was run with (accuracies in [0, 1], losses >= 0, the epochs of the run and
no others, final numbers that are the history's, probe data as probes.py
writes it). Each returns the first problem as a short phrase naming the
field, or None; the runner warns with the file's name and recomputes the
run (``--report-only`` skips it), so a bad record is never averaged in.
Checked once per stored file when a run starts: nothing per training step.
"""
import math

from .evaluation import test_epochs, tracks_validation
from .probe_check import result_problem

_RECORD_KEYS = {"seed": int, "framework": str, "settings": dict, "history": dict,
                "final": dict, "seconds": (int, float)}
_HISTORY = ("epoch", "train_loss", "penalty", "train_acc", "eval_epoch", "test_loss", "test_acc")
_PER_EPOCH = ("train_loss", "penalty", "train_acc")
_FINAL_NUMBERS = ("train_loss", "train_acc", "test_loss", "test_acc")
_SHARES = ("train_acc", "test_acc", "val_acc", "zero_weights", "near_zero_weights",
           "lecture_eval_train_acc", "lecture_eval_test_acc")   # accuracies and shares: in [0, 1]
_NON_NEGATIVE = ("train_loss", "test_loss", "val_loss", "penalty", "weight_l1", "weight_l2")


def is_number(value):
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def record_problem(record):
    """What makes ``record`` unusable as a stored seed by its shape (a short
    phrase), or None when it has every field train.run writes, of its type."""
    if not isinstance(record, dict):
        return f"it holds a JSON {type(record).__name__}, not an object"
    for key, types in _RECORD_KEYS.items():
        if key not in record:
            return f"it has no {key!r}"
        if not isinstance(record[key], types) or isinstance(record[key], bool):
            return f"its {key!r} is a {type(record[key]).__name__}"
    for key in ("diverged", "probes"):
        if key not in record:
            return f"it has no {key!r}"
        if record[key] is not None and not isinstance(record[key], dict):
            return f"its {key!r} is a {type(record[key]).__name__}"
    for key, values in record["history"].items():
        if not isinstance(values, list) or not all(is_number(v) for v in values):
            return f"its history {key!r} is not a list of finite numbers"
    final, diverged = record["final"], record["diverged"]
    if not is_whole(final.get("epochs_run")):
        return "its final 'epochs_run' is missing or not a whole number"
    if diverged is not None:
        if not is_whole(diverged.get("epoch")) or not (
                diverged.get("last_finite_loss") is None or is_number(diverged["last_finite_loss"])):
            return "its 'diverged' is not {epoch: int, last_finite_loss: number or null}"
    else:
        for key in _final_numbers(record["settings"].get("test_evaluation")):
            if not is_number(final.get(key)):
                return f"its final {key!r} is missing or not a finite number"
    seconds = record.get("epoch_seconds", [])         # missing in records of older code
    if not isinstance(seconds, list) or not all(is_number(s) and s >= 0 for s in seconds):
        return "its 'epoch_seconds' is not a list of finite numbers >= 0"
    return None


def _final_numbers(test_evaluation):
    """The final numbers every finished run has: a tuning trial (which never
    sees the test set) has its validation numbers instead of the test set's."""
    if test_evaluation == "never":
        return _FINAL_NUMBERS[:2] + ("val_loss", "val_acc")
    return _FINAL_NUMBERS


def _range_problem(where, key, value):
    if key in _SHARES and not 0 <= value <= 1:
        return f"its {where} {key!r} holds {value!r}, not a share in [0, 1]"
    if key in _NON_NEGATIVE and value < 0:
        return f"its {where} {key!r} holds {value!r}, below 0"
    return None


def _history_problem(history, config):
    validation = ("val_loss", "val_acc") if tracks_validation(config) else ()
    wanted = _HISTORY + validation
    if sorted(history) != sorted(wanted):
        return f"its history has {sorted(history)}, not {sorted(wanted)}"
    epochs = history["epoch"]
    if epochs != list(range(1, len(epochs) + 1)) or len(epochs) > config.epochs:
        return f"its history 'epoch' is not 1, 2, ... up to at most {config.epochs}"
    for key in _PER_EPOCH + validation:
        if len(history[key]) != len(epochs):
            return f"its history {key!r} has {len(history[key])} values for {len(epochs)} epochs"
    evaluated = history["eval_epoch"]
    if (not all(is_whole(e) for e in evaluated) or sorted(set(evaluated)) != evaluated
            or not set(evaluated) <= set(epochs)):
        return "its history 'eval_epoch' is not an increasing list of the run's epochs"
    if config.test_evaluation != "schedule" and not set(evaluated) <= set(test_epochs(config)):
        when = "never evaluates the test set" if config.test_evaluation == "never" else \
            "evaluates the test set only after its last epoch"
        return f"its history 'eval_epoch' is {evaluated}, but the run {when}"
    for key in ("test_loss", "test_acc"):
        if len(history[key]) != len(evaluated):
            return f"its history {key!r} has {len(history[key])} values for {len(evaluated)} evaluations"
    for key, values in history.items():
        for value in values:
            problem = _range_problem("history", key, value)
            if problem:
                return problem
    return None


def _final_problem(final, history, config):
    """The final numbers of a run that did not diverge: in range, and the history's own."""
    epochs = len(history["epoch"])
    for key, value in final.items():
        if key not in ("epochs_run", "best_epoch", "stopped_early") and not is_number(value):
            return f"its final {key!r} is not a finite number"
        problem = _range_problem("final", key, value) if is_number(value) else None
        if problem:
            return problem
    if config.test_evaluation == "never":
        seen = sorted(key for key in final if "test" in key)
        if seen:
            return f"its final holds {seen}, but the run never evaluates the test set"
    elif epochs == 0 or not history["eval_epoch"] or history["eval_epoch"][-1] != epochs:
        return "its history does not end with an evaluated epoch"
    if config.patience:
        best = final.get("best_epoch")
        if not is_whole(best) or not 1 <= best <= epochs:
            return f"its final 'best_epoch' is {best!r}, not an epoch of the run (1..{epochs})"
        if final.get("stopped_early") is not (epochs < config.epochs):
            return "its final 'stopped_early' does not match its epochs"
        same = {"train_loss": history["train_loss"][best - 1]}
    else:
        same = {key: history[key][-1] for key in _final_numbers(config.test_evaluation)}
    for key, value in same.items():
        if final[key] != value:
            return f"its final {key!r} is {final[key]!r}, but its history says {value!r}"
    return None


def value_problem(record, config):
    """What makes a well-shaped ``record`` (record_problem is None) of
    ``config``'s settings impossible as a run's result, or None."""
    history, final, diverged = record["history"], record["final"], record["diverged"]
    problem = _history_problem(history, config)
    if problem:
        return problem
    epochs = len(history["epoch"])
    if "epoch_seconds" in record and len(record["epoch_seconds"]) != epochs:
        return f"its 'epoch_seconds' has {len(record['epoch_seconds'])} values for {epochs} epochs"
    if final["epochs_run"] != epochs:
        return f"its final 'epochs_run' is {final['epochs_run']}, but its history has {epochs} epochs"
    if diverged is not None:
        if diverged["epoch"] != epochs + 1 or diverged["epoch"] > config.epochs:
            return f"its 'diverged' epoch {diverged['epoch']} does not follow its {epochs} epochs"
        last = diverged["last_finite_loss"]
        if sorted(final) != ["epochs_run"] or (last is not None and last < 0):
            return "its diverged record holds final numbers or a negative last loss"
    else:
        problem = _final_problem(final, history, config)
        if problem:
            return problem
    if record["framework"] != "tinynet":
        return None if record["probes"] is None else f"its 'probes' are not null ({record['framework']})"
    last_epoch = epochs + (diverged is not None)
    return result_problem(record["probes"], config, last_epoch, allow_none=diverged is not None)
