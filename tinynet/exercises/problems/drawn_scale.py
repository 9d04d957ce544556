"""What the Xavier and He exercises share: the scales tinynet.nn.init draws with, read off its draws.

An initialiser of tinynet.nn.init fills a weight from its ``generator=``:
the normal ones draw s * z, z being the generator's standard normal
numbers, and the uniform ones draw -b + 2 b u, u its uniform numbers in
[0, 1). Drawing the same numbers again from a generator with the same seed
gives z (or u) beside each weight, so s = w / z and b = w / (2u - 1): the
std and the bound the real initialiser used, to rounding (taken where |z|,
or |2u - 1|, is largest, so that the division loses nothing).
"""
import numpy as np

from tinynet.exercises.problem import Mistake
from tinynet.text import Text

SEED = 0
STD = Text("the std (of the normal version)", "표준편차 std (정규 분포 버전)")
BOUND = Text("the bound (of the uniform version)", "경계 bound (균등 분포 버전)")


def drawn_std(fill, shape, **options):
    """The s of N(0, s^2) from which ``fill`` (e.g. xavier_normal_) draws an array of ``shape``."""
    w = fill(np.empty(shape), generator=np.random.default_rng(SEED), **options)
    z = np.random.default_rng(SEED).standard_normal(shape)
    k = np.argmax(np.abs(z))
    return float(w.flat[k] / z.flat[k])


def drawn_bound(fill, shape, **options):
    """The b of U(-b, b) from which ``fill`` (e.g. xavier_uniform_) draws an array of ``shape``."""
    w = fill(np.empty(shape), generator=np.random.default_rng(SEED), **options)
    u = 2.0 * np.random.default_rng(SEED).random(shape) - 1.0
    k = np.argmax(np.abs(u))
    return float(w.flat[k] / u.flat[k])


def std_and_bound(subject, args):
    """A ReferenceCheck ``run``: the subject returns (std, bound); both are compared."""
    std, bound = subject(*args)
    return {STD: std, BOUND: bound}


def bound_is_std(reference):
    """The mistake of returning the std as the uniform bound, in the exercise checked against ``reference``."""
    def mistaken(*args):
        std, _ = reference(*args)
        return std, std
    return Mistake("bound_is_std", mistaken, Text(
        "the uniform bound equals the std: U(-b, b) has variance b^2 / 3, so the same variance as "
        "N(0, std^2) needs b = sqrt(3) std",
        "균등 분포의 경계가 표준편차와 같습니다. U(-b, b)의 분산은 b^2 / 3이므로, N(0, std^2)과 같은 분산이 "
        "되려면 b = sqrt(3) std여야 합니다"))

