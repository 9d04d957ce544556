"""How BatchNorm1d is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, normal


def build(cls, rng):
    layer = cls(4)
    # gamma = 1, beta = 0 would hide a bug that confuses them.
    layer.weight.data = rng.uniform(0.5, 2.0, size=4)
    layer.bias.data = rng.normal(size=4)
    return layer


# One layer called four times before one backward, as the lecture's model
# shares one batch normalisation layer between its four hidden layers.
CHECK = LayerCheck("BatchNorm1d", build=build, input=normal((6, 4), scale=2.0, shift=0.5), calls=4)
