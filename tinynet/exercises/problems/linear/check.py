"""How Linear is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, normal

CHECK = LayerCheck("Linear", build=lambda cls, rng: cls(4, 3), input=normal((5, 4)))
