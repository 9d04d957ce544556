r"""Weight initialisation with PyTorch's names and formulas (``torch.nn.init``).

Every function fills a ``Parameter`` (its ``.data``) or a floating-point
NumPy array IN PLACE, keeps its dtype, and returns it, as torch's fill a
tensor::

    init.kaiming_normal_(layer.weight, nonlinearity="relu")
    init.zeros_(layer.bias)

Random values come from tinynet's generator (``tinynet.random.generator()``,
seeded by ``tn.manual_seed``) unless a ``generator=`` (a
``numpy.random.Generator``) is given. They are drawn in float64 and then
stored in the target's dtype.

Why the scale matters. Take a layer y = W x (W of shape (fan_out, fan_in))
whose inputs x_i are independent with E[x_i^2] = q, and weights drawn
independently with mean 0 and variance s^2. Each y_j is a sum of fan_in
independent products, so

    Var[y_j] = fan_in * s^2 * q.                                    (forward)

Backward, dx = W^T dy sums fan_out products, so with Var[dy_j] = r

    Var[dx_i] = fan_out * s^2 * r.                                  (backward)

Through many layers these factors multiply: if fan_in * s^2 is 2, the
activations double in variance at every layer (they explode); if it is 1/2
they vanish, and so do the gradients. A good initialisation makes the
factor 1.

Xavier / Glorot (tanh or linear networks, x about zero-mean so q = Var[x]):
forward wants s^2 = 1 / fan_in, backward wants s^2 = 1 / fan_out; the
compromise takes s^2 = the harmonic mean of the two, 2 / (fan_in + fan_out):

    s = gain * sqrt(2 / (fan_in + fan_out)).

He / Kaiming (ReLU networks): x = relu(z) with z symmetric around 0 keeps
the positive half of z and zeroes the rest, so E[x^2] = Var[z] / 2: ReLU
halves the second moment. To keep Var[z] the same from layer to layer,
fan_in * s^2 / 2 = 1, i.e.

    s = sqrt(2) / sqrt(fan_in)        (mode="fan_in": the forward pass's factor is 1;
                                       mode="fan_out" makes the backward pass's factor 1).

That sqrt(2) is ``calculate_gain("relu")``; a leaky ReLU of slope a keeps
(1 + a^2) / 2 of the second moment, hence gain sqrt(2 / (1 + a^2)).

A uniform distribution on [-b, b] has variance b^2 / 3, so the uniform
versions use the bound b = sqrt(3) * s, with the same variance.

nn.Linear's own initialisation, U(-1/sqrt(in), 1/sqrt(in)), is
``kaiming_uniform_(w, a=sqrt(5))`` in distribution (gain sqrt(2 / 6), so
b = sqrt(3) * sqrt(1/3) / sqrt(in) = 1 / sqrt(in)), as PyTorch says. Linear
computes 1 / sqrt(in) directly: the two expressions can differ in the last
bit of the bound, and the lab's runs must keep their exact weights.
"""
import math
import warnings

import numpy as np

from .. import random
from ..arguments import FINITE, NON_NEGATIVE, check_choice, check_number, refuse
from .parameter import Parameter

LINEAR_FUNCTIONS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                    "conv_transpose3d")
NONLINEARITIES = LINEAR_FUNCTIONS + ("sigmoid", "tanh", "relu", "leaky_relu", "selu")
FAN_MODES = ("fan_in", "fan_out")


def fan_in_uniform(shape, fan_in):
    """PyTorch's default weights and biases of Linear and Conv2d, as float32:
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from tinynet's generator.

    (``kaiming_uniform_(w, a=sqrt(5))``, PyTorch's own spelling of it, has
    the same bound: gain sqrt(2 / (1 + 5)) times sqrt(3 / fan_in).)
    """
    bound = 1.0 / math.sqrt(fan_in)
    return random.generator().uniform(-bound, bound, shape).astype(np.float32)


def calculate_gain(nonlinearity, param=None):
    r"""The factor by which to scale the weights' std after this nonlinearity.

        linear, conv*, sigmoid   1
        tanh                     5/3
        relu                     sqrt(2)                     (ReLU halves E[x^2]; see the module docstring)
        leaky_relu               sqrt(2 / (1 + slope^2))     slope = param, 0.01 if None
        selu                     3/4

    tanh's 5/3 and selu's 3/4 are PyTorch's choices (selu's "found
    empirically", as its source says), meant to keep the activations' scale
    about constant through many layers.
    """
    check_choice(calculate_gain, "nonlinearity", nonlinearity, NONLINEARITIES)
    if nonlinearity in LINEAR_FUNCTIONS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_number(calculate_gain, "param", param, FINITE,
                                                        subject="param (the negative slope)")
        return math.sqrt(2.0 / (1 + slope ** 2))
    return 3.0 / 4                                              # selu


def calculate_fan_in_and_fan_out(tensor, caller=None):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as PyTorch's
    ``_calculate_fan_in_and_fan_out``.

    Linear (out, in): fan_in = in, fan_out = out. Convolution (out, in, kh, kw):
    every output value sums in * kh * kw products, and every input value
    reaches out * kh * kw outputs, so fan_in = in * kh * kw and
    fan_out = out * kh * kw.
    """
    shape = _array(tensor, caller or calculate_fan_in_and_fan_out).shape
    if len(shape) < 2:
        raise ValueError(f"{(caller or calculate_fan_in_and_fan_out).__name__}: fan in and fan out can not be "
                         f"computed for an array with fewer than 2 dimensions, got shape {shape} (a weight is "
                         "(out, in, ...); initialise a bias with uniform_, normal_ or zeros_)")
    receptive_field_size = math.prod(shape[2:])
    return shape[1] * receptive_field_size, shape[0] * receptive_field_size


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn uniformly from [a, b)."""
    low = check_number(uniform_, "a", a, FINITE)
    high = check_number(uniform_, "b", b, FINITE)
    if high < low:
        refuse(ValueError, uniform_, "b", f"a number >= a = {a} (the interval is [a, b))", b)
    return _fill(tensor, uniform_, lambda rng, shape: rng.uniform(low, high, shape), generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from the normal distribution N(mean, std^2)."""
    mean = check_number(normal_, "mean", mean, FINITE)
    std = check_number(normal_, "std", std, NON_NEGATIVE)
    return _fill(tensor, normal_, lambda rng, shape: rng.normal(mean, std, shape), generator)


def constant_(tensor, val):
    """Fill with the value ``val``."""
    val = check_number(constant_, "val", val, FINITE)
    return _fill(tensor, constant_, lambda rng, shape: np.full(shape, val), None)


def ones_(tensor):
    """Fill with 1 (BatchNorm's gamma starts so)."""
    return _fill(tensor, ones_, lambda rng, shape: np.ones(shape), None)


def zeros_(tensor):
    """Fill with 0 (biases often start so)."""
    return _fill(tensor, zeros_, lambda rng, shape: np.zeros(shape), None)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))
    (= sqrt(3) * std; the module docstring derives std)."""
    std = _xavier_std(tensor, gain, xavier_uniform_)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    std = _xavier_std(tensor, gain, xavier_normal_)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan), fan = fan_in or
    fan_out (``mode``), gain = calculate_gain(nonlinearity, a). With the
    defaults (leaky_relu, a = 0) the gain is sqrt(2), ReLU's."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, kaiming_uniform_)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan) (see kaiming_uniform_)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, kaiming_normal_)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


# -- the shared steps -----------------------------------------------------------
def _xavier_std(tensor, gain, caller):
    gain = check_number(caller, "gain", gain, NON_NEGATIVE)
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor, caller)
    if fan_in + fan_out == 0:
        return _nothing_to_fill()
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _kaiming_std(tensor, a, mode, nonlinearity, caller):
    if isinstance(mode, str):
        mode = mode.lower()                     # as PyTorch: "FAN_IN" works too
    check_choice(caller, "mode", mode, FAN_MODES)
    if 0 in _array(tensor, caller).shape:
        return _nothing_to_fill()
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor, caller)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def _nothing_to_fill():
    warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=4)
    return None


def _array(tensor, caller):
    """The floating-point ndarray to fill: a Parameter's ``data``, or ``tensor`` itself."""
    array = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        what = f"{array.dtype} array" if isinstance(array, np.ndarray) else type(array).__name__
        raise TypeError(f"{caller.__name__} fills a Parameter or a floating-point numpy array in place, "
                        f"got {'a Parameter holding ' if array is not tensor else ''}{what}")
    return array


def _fill(tensor, caller, draw, generator):
    """Write ``draw(rng, shape)`` into ``tensor``'s array, in its dtype; return ``tensor``."""
    array = _array(tensor, caller)
    if generator is None:
        generator = random.generator()
    elif not isinstance(generator, np.random.Generator):
        raise TypeError(f"{caller.__name__}: generator must be a numpy.random.Generator "
                        f"(np.random.default_rng(seed)) or None, got {type(generator).__name__}")
    array[...] = draw(generator, array.shape)
    return tensor
