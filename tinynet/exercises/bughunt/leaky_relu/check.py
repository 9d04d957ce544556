"""How LeakyReLU is graded (its code is template.py, its texts problem.toml)."""
from tinynet.exercises.problem import LayerCheck, away_from_zero

CHECK = LayerCheck("LeakyReLU", build=lambda cls, rng: cls(negative_slope=0.1), input=away_from_zero((4, 5)))
