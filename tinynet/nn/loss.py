"""Softmax cross-entropy loss."""
import numpy as np

from .module import Loss


class CrossEntropyLoss(Loss):
    r"""Mean softmax cross-entropy, as ``torch.nn.CrossEntropyLoss()``.

    Shapes: logits z (N, C) float, labels y (N,) integer class indices in
    [0, C); returns a Python float.

        p[n]  = softmax(z[n]),   p[n, c] = exp(z[n, c]) / sum_k exp(z[n, k])
        L     = -(1/N) sum_n log p[n, y[n]]

    Numerically stable: with m[n] = max_k z[n, k],
        log p[n, c] = (z[n, c] - m[n]) - log sum_k exp(z[n, k] - m[n]),
    which never exponentiates a large number (adding a constant to a row of z
    changes nothing, so subtracting its max is free).

    Backward: dL/dz[n, c] = (p[n, c] - [c == y[n]]) / N. The softmax and the
    log cancel into this simple form, so the two are fused here instead of
    being separate layers; the one-hot term is a single indexed subtraction.
    """

    def forward(self, logits, labels):
        true_class = self._true_class_positions(logits, labels)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1)
        log_likelihood = shifted.take(true_class) - np.log(sum_exp)
        return float(-log_likelihood.sum() / len(labels)), (exp, sum_exp, true_class)

    def backward(self, dout, cache):
        """dL/dlogits, scaled by ``dout`` = dLoss/dL (1 when L is the loss)."""
        exp, sum_exp, true_class = cache
        dlogits = exp / sum_exp[:, None]           # softmax p
        # p - onehot(y). take/put read the flat index in row-major order
        # whatever the memory layout (a column-major dlogits, from
        # column-major logits, would make reshape(-1) a copy).
        dlogits.put(true_class, dlogits.take(true_class) - 1.0)
        dlogits *= dout / len(sum_exp)
        return dlogits

    @staticmethod
    def _true_class_positions(logits, labels):
        """Check the inputs; return the positions n*C + y[n] of the true-class
        logits z[n, y[n]] in the flattened (N*C,) logits.

        One flat index array is cheaper to gather and scatter with than the
        pair (rows, labels), and ``np.ravel_multi_index``, which builds it,
        also rejects every label outside [0, C): the range check comes free.
        """
        if not isinstance(logits, np.ndarray) or logits.ndim != 2 or logits.dtype.kind != "f":
            raise ValueError("CrossEntropyLoss expects float logits of shape (N, C), got "
                             f"{getattr(logits, 'dtype', type(logits).__name__)} "
                             f"{getattr(logits, 'shape', '')}")
        if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
            raise TypeError("CrossEntropyLoss expects integer class labels (an int array of shape (N,)), "
                            f"got {getattr(labels, 'dtype', type(labels).__name__)}")
        n, num_classes = logits.shape
        if labels.shape != (n,):
            raise ValueError(f"CrossEntropyLoss: labels of shape {labels.shape} do not match "
                             f"logits of shape {logits.shape}; expected ({n},)")
        if n == 0:
            raise ValueError("CrossEntropyLoss: the batch is empty")
        try:
            return np.ravel_multi_index((np.arange(n), labels), (n, num_classes))
        except ValueError:
            raise ValueError(f"CrossEntropyLoss: labels must be in [0, {num_classes}), got values "
                             f"from {labels.min()} to {labels.max()}") from None
