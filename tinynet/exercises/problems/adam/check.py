"""How adam_step is graded: against tinynet.optim.Adam, step after step
(its code is template.py, its texts problem.toml)."""
import numpy as np

from tinynet import optim
from tinynet.exercises.problem import ReferenceCheck
from tinynet.exercises.problems.update_rule import one_step_of, several_steps


def one_step_of_adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The t-th step of the real tinynet.optim.Adam: ``param``, ``m`` and ``v`` updated in place."""
    one_step_of(optim.Adam, param, grad, {"m": m, "v": v, "step": t - 1}, lr=lr, betas=(beta1, beta2), eps=eps)


def cases(rng):
    """(param, gradients of the steps, m = 0, v = 0, lr, beta1, beta2, eps)."""
    return [(rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4)), np.zeros((3, 4)), np.zeros((3, 4)),
             1e-3, 0.9, 0.999, 1e-8),
            (rng.normal(size=6), 0.01 * rng.normal(size=(4, 6)), np.zeros(6), np.zeros(6), 0.1, 0.8, 0.99, 1e-3)]


# The classic mistakes; problem.toml's [mistakes.<name>] says what each one is.

def _moments(grad, m, v, beta1, beta2):
    m[...] = beta1 * m + (1 - beta1) * grad
    v[...] = beta2 * v + (1 - beta2) * grad * grad


def no_bias_correction(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    _moments(grad, m, v, beta1, beta2)
    param -= lr * m / (np.sqrt(v) + eps)


def eps_inside_sqrt(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    _moments(grad, m, v, beta1, beta2)
    param -= lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps)


CHECK = ReferenceCheck("adam_step", reference=one_step_of_adam, cases=cases, run=several_steps("m", "v", counted=True),
                       against="tinynet.optim.Adam", mistakes=(no_bias_correction, eps_inside_sqrt))
