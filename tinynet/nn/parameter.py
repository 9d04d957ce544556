"""A learnable array and its gradient."""


class Parameter:
    """A learnable array and its gradient.

    ``data``:  the values, e.g. a weight matrix of shape (out, in).
    ``grad``:  dL/d(data), same shape and dtype, or ``None`` until a backward
               pass has produced one (``zero_grad`` resets it to ``None``).
    ``penalized``: whether ``optim.SGD``'s L1/L2 terms apply to it -- True for
               connection weights, False for biases and BatchNorm's gamma
               and beta (the lecture's Omega(w) is over the weights).
    """

    __slots__ = ("data", "grad", "penalized")

    def __init__(self, data, penalized=False):
        self.data = data
        self.grad = None
        self.penalized = penalized

    @property
    def shape(self):
        return self.data.shape

    def accumulate_grad(self, g):
        """Add ``g`` (a fresh array the caller hands over) to ``.grad``.

        Gradients add up until ``zero_grad``, as in PyTorch: a layer used k
        times in one forward pass gets the sum of its k contributions.
        """
        if self.grad is None:
            self.grad = g
        else:
            self.grad += g

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"
