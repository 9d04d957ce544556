"""How kaiming_scale is graded: against the scales tinynet.nn.init draws with
(its code is template.py, its texts problem.toml)."""
import math

from tinynet.exercises.problem import ReferenceCheck
from tinynet.exercises.problems.drawn_scale import bound_is_std, drawn_bound, drawn_std, std_and_bound
from tinynet.nn import init


def drawn_by_kaiming(fan_in, fan_out, nonlinearity="leaky_relu", a=0.0):
    """(std, bound) with which tinynet.nn.init's kaiming_normal_ and kaiming_uniform_ draw a (fan_out, fan_in)
    weight."""
    shape, options = (fan_out, fan_in), dict(a=a, nonlinearity=nonlinearity)
    return drawn_std(init.kaiming_normal_, shape, **options), drawn_bound(init.kaiming_uniform_, shape, **options)


def cases(rng):
    """(fan_in, fan_out, nonlinearity, a): ReLU layers of the lecture's MLP, a 5x5 convolution, other gains."""
    return [(784, 100, "relu", 0.0), (100, 10, "leaky_relu", 0.0), (25, 750, "relu", 0.0),
            (int(rng.integers(20, 60)), 30, "leaky_relu", 0.2), (300, 40, "tanh", 0.0)]


# A classic mistake; problem.toml's [mistakes.fan_out_used] says what it is.
def fan_out_used(fan_in, fan_out, nonlinearity="leaky_relu", a=0.0):
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan_out)
    return std, math.sqrt(3.0) * std


CHECK = ReferenceCheck("kaiming_scale", reference=drawn_by_kaiming, cases=cases, run=std_and_bound,
                       against="tinynet.nn.init", mistakes=(fan_out_used, bound_is_std(drawn_by_kaiming)))
