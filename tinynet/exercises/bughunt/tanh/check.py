"""How Tanh is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, normal

CHECK = LayerCheck("Tanh", build=lambda cls, rng: cls(), input=normal((4, 5), scale=1.5))
