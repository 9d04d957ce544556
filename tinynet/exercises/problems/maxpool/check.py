"""How MaxPool2d is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, distinct

CHECK = LayerCheck("MaxPool2d", build=lambda cls, rng: cls(2, stride=2, padding=1), input=distinct((2, 2, 5, 5)))
