"""The Adam exercise's code: problem.toml beside it states it, check.py grades it."""
import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The t-th Adam step (t = 1, 2, ...), as PyTorch's Adam takes it, IN PLACE.

    param  w, the weights: updated in place
    grad   g = dL/dw, of w's shape: read only
    m, v   the running means of g and of g^2, of w's shape (zeros before the
           first step): updated in place, the next step reads them
    """
    # BEGIN SOLUTION
    # TODO: m <- beta1 m + (1 - beta1) g and v <- beta2 v + (1 - beta2) g^2, in place
    # TODO: the bias corrections m^ and v^ of step t
    # TODO: w <- w - lr m^ / (sqrt(v^) + eps), in place
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)              # m started at 0: E[m_t] = (1 - beta1^t) E[g]
    v_hat = v / (1 - beta2 ** t)
    param -= lr * m_hat / (np.sqrt(v_hat) + eps)
    # END SOLUTION
