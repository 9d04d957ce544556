"""How L2Penalty is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LossCheck, normal

CHECK = LossCheck("L2Penalty", build=lambda cls, rng: cls(0.3), input=normal((3, 4)))
