"""How values are named in error messages, and what each use-once refusal says.

The three dicts below are the ``messages`` of :class:`tinynet.nn.once.Once`
for a model's tape, a layer's standalone cache and a loss's cache; ``{name}``
is the owner's class name.
"""
import numpy as np

from .once import AMBIGUOUS, EMPTY, FAILED, TAKEN


DIVERGED = ("usually the learning rate is too high: training diverged. "
            "Lower the learning rate, or check the data for NaN/inf")


def require_init(owner, base):
    """Refuse an object whose ``__init__`` skipped ``super().__init__()`` of ``base``."""
    if "_last_call" not in vars(owner):
        name = type(owner).__name__
        raise RuntimeError(f"{name} was never initialised as {base}: its __init__ must call "
                           f"super().__init__() first (class {name}({base}): def __init__(self): "
                           "super().__init__(); ...)")


def require_arrays(owner, inputs):
    """Refuse a call whose inputs are not NumPy arrays (a list, a number, a tensor ...)."""
    for i, x in enumerate(inputs):
        if not isinstance(x, np.ndarray):
            where = f" (input {i})" if len(inputs) > 1 else ""
            raise TypeError(f"{type(owner).__name__} takes NumPy arrays, got {describe(x)}{where}; "
                            "convert it first, e.g. np.asarray(x, dtype=np.float32)")


def describe(value):
    """'an array of shape (6, 3)', 'a tuple of 2 values', 'None', 'a list', ..."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} values"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def refuse_result(owner, result, returns="(out, cache)"):
    """A forward returned ``result``, not the pair ``returns`` names."""
    raise TypeError(f"{type(owner).__name__}.forward must return {returns}: the output and what "
                    f"backward needs (None if nothing) -- you returned {describe(result)}. "
                    f"End forward with `return {returns[1:-1]}`")


MODEL_TAPE = {
    EMPTY: "{name}.backward() needs a forward pass first (forward under tn.no_grad() records nothing)",
    TAKEN: "{name}.backward() needs a forward pass first: the last forward was already backpropagated "
           "(each forward pass can be backpropagated once)",
    FAILED: "{name}.backward() needs a forward pass first: the last forward raised an error, so there "
            "is nothing to backpropagate; fix it and run forward again",
}

LAYER_CACHE = {
    EMPTY: "{name}.backward(dout) without a cache uses the cache of the last call y = layer(x) made "
           "outside a model, and there was none. Call the layer first, pass the cache (out, cache = "
           "layer.forward(x); layer.backward(dout, cache)), or, inside a model, use model.backward",
    FAILED: "{name}.backward(dout): the last call of the layer raised an error, so there is no cache to "
            "use; call it again",
    TAKEN: "{name}.backward(dout): the cache of the last call was already used by a backward; call the "
           "layer again first (one backward per call)",
}

LOSS_CACHE = {
    EMPTY: "{name}.backward() needs a forward call first: compute loss = loss_fn(logits, y) (outside "
           "tn.no_grad()), then backward()",
    TAKEN: "{name}.backward() was already called for the last loss; call the loss again first (one "
           "backward per call)",
    FAILED: "{name}.backward(): the last call of the loss raised an error, so there is no gradient to "
            "return; fix the inputs and call the loss again",
    AMBIGUOUS: "{name}.backward() is ambiguous: the loss was called twice with gradients enabled and no "
               "backward between, so which call's gradient is meant? Compute validation losses under "
               "tn.no_grad()",
}
