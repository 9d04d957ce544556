"""How Dropout is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, normal

CHECK = LayerCheck("Dropout", build=lambda cls, rng: cls(p=0.4), input=normal((5, 6)))
