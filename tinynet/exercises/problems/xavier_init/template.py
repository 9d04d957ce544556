"""The Xavier initialisation exercise's code: problem.toml beside it states it, check.py grades it."""
import math


def xavier_scale(fan_in, fan_out, gain=1.0):
    """(std, bound) of Xavier (Glorot) initialisation for a weight with these fans,
    as nn.init.xavier_normal_ (N(0, std^2)) and nn.init.xavier_uniform_ (U(-bound, bound))
    draw it: fan_in = the inputs each output sums (in, or C kh kw for a convolution),
    fan_out = the outputs each input reaches (out, or F kh kw)."""
    # BEGIN SOLUTION
    # TODO: std: the compromise between the forward pass's and the backward pass's variance
    # TODO: bound: the b of U(-b, b) with the same variance as N(0, std^2)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))   # 1 / std^2 = the mean of fan_in and fan_out
    bound = math.sqrt(3.0) * std                       # Var[U(-b, b)] = b^2 / 3
    # END SOLUTION
    return std, bound
