"""How SoftmaxCrossEntropy is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LossCheck, normal

CHECK = LossCheck("SoftmaxCrossEntropy", build=lambda cls, rng: cls(), input=normal((5, 4)),
                  target=lambda rng: rng.integers(0, 4, size=5))
