"""How rmsprop_step is graded: against tinynet.optim.RMSprop, step after step
(its code is template.py, its texts problem.toml)."""
import numpy as np

from tinynet import optim
from tinynet.exercises.problem import ReferenceCheck
from tinynet.exercises.problems.update_rule import one_step_of, several_steps


def one_step_of_rmsprop(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """One step of the real tinynet.optim.RMSprop: ``param`` and ``square_avg`` updated in place."""
    one_step_of(optim.RMSprop, param, grad, {"square_avg": square_avg}, lr=lr, alpha=alpha, eps=eps)


def cases(rng):
    """(param, gradients of the steps, square_avg = 0, lr, alpha, eps)."""
    return [(rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4)), np.zeros((3, 4)), 0.01, 0.99, 1e-8),
            (rng.normal(size=6), 0.01 * rng.normal(size=(4, 6)), np.zeros(6), 0.1, 0.9, 1e-3)]


# The classic mistakes; problem.toml's [mistakes.<name>] says what each one is.

def eps_inside_sqrt(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg[...] = alpha * square_avg + (1 - alpha) * grad * grad
    param -= lr * grad / np.sqrt(square_avg + eps)


def decay_swapped(param, grad, square_avg, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg[...] = (1 - alpha) * square_avg + alpha * grad * grad
    param -= lr * grad / (np.sqrt(square_avg) + eps)


CHECK = ReferenceCheck("rmsprop_step", reference=one_step_of_rmsprop, cases=cases, run=several_steps("square_avg"),
                       against="tinynet.optim.RMSprop", mistakes=(eps_inside_sqrt, decay_swapped))
