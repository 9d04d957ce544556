"""How AvgPool2d is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, normal

CHECK = LayerCheck("AvgPool2d", build=lambda cls, rng: cls(3, stride=2, padding=1), input=normal((2, 2, 5, 5)))
