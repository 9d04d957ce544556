"""Layers with several inputs: join branches of a network."""
import numpy as np

from ..arguments import check_axis
from .layer import Layer


def _check_inputs(layer, inputs):
    """At least two arrays of one dtype and batch size."""
    if len(inputs) < 2:
        raise TypeError(f"{layer} joins several arrays: call it as {layer.lower()}(a, b, ...), "
                        f"got {len(inputs)} input(s)")
    for i, x in enumerate(inputs):
        if not isinstance(x, np.ndarray) or x.ndim < 1:
            raise TypeError(f"{layer}: input {i} must be an array of shape (N, ...), got "
                            f"{getattr(x, 'shape', type(x).__name__)}")
        if x.dtype != inputs[0].dtype:
            raise TypeError(f"{layer}: input {i} is {x.dtype} but input 0 is {inputs[0].dtype}; "
                            "convert one of them (astype)")


class Add(Layer):
    r"""y = a + b + ...  (the residual connection: ``self.add(x, self.block(x))``).

    Shapes: every input (N, ...) and y have the same shape; no broadcasting,
    so a mismatch is an error rather than a silently summed gradient.

    Backward: dy/da = dy/db = ... = I, so every input receives the upstream
    gradient unchanged:
        da = db = ... = dout
    (When one array feeds both the block and the Add, as x does in
    x + f(x), the tape adds the two gradients it gets: dout + df/dx^T dout.)
    """

    def forward(self, *inputs):
        _check_inputs("Add", inputs)
        for i, x in enumerate(inputs):
            if x.shape != inputs[0].shape:
                raise ValueError(f"Add needs inputs of one shape, got {inputs[0].shape} (input 0) "
                                 f"and {x.shape} (input {i}); use a Linear layer to match widths")
        out = inputs[0] + inputs[1]
        for x in inputs[2:]:
            out += x
        return out, len(inputs)

    def backward(self, dout, cache):
        num_inputs = cache
        return (dout,) * num_inputs


class Concat(Layer):
    r"""y = [a, b, ...] joined along the feature axis (dim=1), as ``torch.cat(..., dim=1)``.

    Shapes: a (N, Fa), b (N, Fb), ... -> y (N, Fa + Fb + ...); extra axes
    after the first two must agree.

    Backward: y[:, j] is a column of exactly one input, so dL/d(input) is
    the block of dout's columns that input filled:
        da = dout[:, :Fa],  db = dout[:, Fa:Fa+Fb],  ...
    """

    def __init__(self, dim=1):
        super().__init__()
        self.dim = check_axis(self, "dim", dim, only=(1,),
                              hint=" (it joins along the feature axis, dim=1, only)")

    def forward(self, *inputs):
        _check_inputs("Concat", inputs)
        for i, x in enumerate(inputs):
            if x.ndim < 2 or x.shape[0] != inputs[0].shape[0] or x.shape[2:] != inputs[0].shape[2:]:
                raise ValueError(f"Concat joins (N, F, ...) arrays along axis 1: input {i} has shape "
                                 f"{x.shape}, input 0 has {inputs[0].shape}")
        widths = [x.shape[1] for x in inputs]
        return np.concatenate(inputs, axis=1), np.cumsum(widths)[:-1]

    def backward(self, dout, cache):
        boundaries = cache                          # where each input's columns start, after the first
        return tuple(np.split(dout, boundaries, axis=1))

    def extra_repr(self):
        return "dim=1"
