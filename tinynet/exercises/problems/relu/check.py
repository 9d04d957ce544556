"""How ReLU is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, away_from_zero

CHECK = LayerCheck("ReLU", build=lambda cls, rng: cls(), input=away_from_zero((4, 5)))
