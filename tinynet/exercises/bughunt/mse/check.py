"""How MSELoss is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LossCheck, normal

CHECK = LossCheck("MSELoss", build=lambda cls, rng: cls(), input=normal((3, 4)), target=normal((3, 4)))
