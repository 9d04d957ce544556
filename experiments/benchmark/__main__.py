"""``python -m experiments.benchmark``; see ``python -m experiments.benchmark --help``."""
from .cli import main

main()
