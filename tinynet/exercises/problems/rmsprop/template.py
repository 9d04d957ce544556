"""The RMSprop exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np


def rmsprop_step(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """One RMSprop step, as PyTorch's RMSprop takes it (no momentum), IN PLACE.

    param       w, the weights: updated in place
    grad        g = dL/dw, of w's shape: read only
    square_avg  v, the running mean of g^2, of w's shape (zeros before the
                first step): updated in place, the next step reads it
    """
    # BEGIN SOLUTION
    # TODO: v <- alpha v + (1 - alpha) g^2, in place (square_avg *= ..., square_avg += ...)
    # TODO: w <- w - lr g / (sqrt(v) + eps), in place (param -= ...)
    square_avg *= alpha
    square_avg += (1 - alpha) * grad * grad
    param -= lr * grad / (np.sqrt(square_avg) + eps)     # eps outside the root, as PyTorch
    # END SOLUTION
