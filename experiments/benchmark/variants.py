"""tinynet's step without one of its checks, or without the tape: what each
costs per step, measured against the real step (``--checks``).

The one place where the benchmark reaches into tinynet's internals. Each
variant changes ONE contestant object (its own loss, optimiser or layers),
never a class, so the other contestants in the same process are untouched.
Before a check is switched off, a trial step must call it: a check that a
rewritten core renamed or moved is refused with a message naming it,
instead of silently timing the unchanged step.

    no_label_check   CrossEntropyLoss's check of the logits and labels (``_check``)
    no_grad_check    the optimiser's check of every .grad's shape and dtype
                     (``check_gradients``)
    no_input_check   each Linear's check of its input's shape and dtype
                     (``_check_features``)
    direct           no tape: each layer's forward and backward called by hand
                     (the layer contract ``forward(x) -> (out, cache)``,
                     ``backward(dout, cache, need_dx)``)
"""
from .network import make_batches

VARIANTS = {
    "no_label_check": "without the loss's check of its logits and labels",
    "no_grad_check": "without the optimiser's check of every gradient",
    "no_input_check": "without Linear's check of its input",
    "direct": "without the tape (each layer's forward and backward by hand)",
}


class VariantError(Exception):
    """A variant cannot be applied to this checkout's tinynet."""


def _checks(step, variant):
    """[(object, attribute name)] of the check ``variant`` switches off."""
    if variant == "no_label_check":
        return [(step.loss_fn, "_check")]
    if variant == "no_grad_check":
        return [(step.opt, "check_gradients")]
    if variant == "no_input_check":
        return [(layer, "_check_features") for layer in step.layers
                if hasattr(layer, "_check_features")]
    return []


def _calls_in_one_step(make, variant):
    """How often one step of a fresh contestant calls the checks of ``variant``."""
    trial = make()
    targets = _checks(trial, variant)
    if not targets:
        raise VariantError(f"{variant}: this tinynet has no such check "
                           "(experiments/benchmark/variants.py needs an update)")
    calls = []
    for owner, name in targets:
        if not hasattr(owner, name):
            raise VariantError(f"{variant}: {type(owner).__name__} has no {name} in this tinynet "
                               "(experiments/benchmark/variants.py needs an update)")
        original = getattr(owner, name)
        setattr(owner, name, lambda *args, _original=original: calls.append(1) or _original(*args))
    trial.step(*trial.prepare(*make_batches(2, n_batches=1)[0]))
    return len(calls)


def apply(make, variant):
    """A contestant from ``make()`` (a TinynetStep) with ``variant`` applied."""
    if variant == "base":
        return make()
    if variant == "direct":
        step = make()
        step.step = _direct_step(step)
        return step
    if variant not in VARIANTS:
        raise VariantError(f"unknown variant {variant!r}; choose from base, {', '.join(VARIANTS)}")
    if not _calls_in_one_step(make, variant):
        raise VariantError(f"{variant}: tinynet's step never calls the check it switches off "
                           "(experiments/benchmark/variants.py needs an update)")
    step = make()
    for owner, name in _checks(step, variant):
        setattr(owner, name, lambda *args: None)
    return step


def _direct_step(contestant):
    """The same step with no tape: every layer's forward and backward in turn."""
    layers, loss_fn, optimizer = contestant.layers, contestant.loss_fn, contestant.opt

    def step(x, y):
        caches, h = [], x
        for layer in layers:
            h, cache = layer.forward(h)
            caches.append(cache)
        loss, cache = loss_fn.forward(h, y)
        optimizer.zero_grad()
        grad = loss_fn.backward(1.0, cache)
        for layer, cache in zip(layers[:0:-1], caches[:0:-1]):
            grad = layer.backward(grad, cache)
        layers[0].backward(grad, caches[0], need_dx=False)
        optimizer.step()
        return loss
    return step
