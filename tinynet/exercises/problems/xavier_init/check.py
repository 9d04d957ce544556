"""How xavier_scale is graded: against the scales tinynet.nn.init draws with
(its code is template.py, its texts problem.toml)."""
import math

from tinynet.exercises.problem import ReferenceCheck
from tinynet.exercises.problems.drawn_scale import bound_is_std, drawn_bound, drawn_std, std_and_bound
from tinynet.nn import init


def drawn_by_xavier(fan_in, fan_out, gain=1.0):
    """(std, bound) with which tinynet.nn.init's xavier_normal_ and xavier_uniform_ draw a (fan_out, fan_in)
    weight."""
    shape = (fan_out, fan_in)
    return drawn_std(init.xavier_normal_, shape, gain=gain), drawn_bound(init.xavier_uniform_, shape, gain=gain)


def cases(rng):
    """(fan_in, fan_out, gain): the lecture's first layer, a last layer, a 5x5 convolution, tanh's gain."""
    return [(784, 100, 1.0), (100, 10, 1.0), (25, 750, math.sqrt(2.0)), (int(rng.integers(20, 60)), 30, 5 / 3)]


# A classic mistake; problem.toml's [mistakes.sum_not_mean] says what it is.
def sum_not_mean(fan_in, fan_out, gain=1.0):
    std = gain * math.sqrt(1.0 / (fan_in + fan_out))
    return std, math.sqrt(3.0) * std


CHECK = ReferenceCheck("xavier_scale", reference=drawn_by_xavier, cases=cases, run=std_and_bound,
                       against="tinynet.nn.init", mistakes=(sum_not_mean, bound_is_std(drawn_by_xavier)))
