"""The He (Kaiming) initialisation exercise's code: problem.toml beside it states it, check.py grades it."""
import math

from tinynet.nn.init import calculate_gain


def kaiming_scale(fan_in, fan_out, nonlinearity="leaky_relu", a=0.0):
    """(std, bound) of He (Kaiming) initialisation for a weight with these fans,
    as nn.init.kaiming_normal_ (N(0, std^2)) and nn.init.kaiming_uniform_
    (U(-bound, bound)) draw it with their default mode="fan_in": fan_in = the
    inputs each output sums (in, or C kh kw for a convolution), fan_out = the
    outputs each input reaches (out, or F kh kw)."""
    gain = calculate_gain(nonlinearity, a)           # sqrt(2) for ReLU (leaky_relu with a = 0)
    # BEGIN SOLUTION
    # TODO: std: which fan keeps the variance of the FORWARD pass?
    # TODO: bound: the b of U(-b, b) with the same variance as N(0, std^2)
    std = gain / math.sqrt(fan_in)                   # fan_in std^2 / gain^2 = 1: the forward pass
    bound = math.sqrt(3.0) * std                     # Var[U(-b, b)] = b^2 / 3
    # END SOLUTION
    return std, bound
