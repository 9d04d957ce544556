"""``python -m experiments.tune``: see experiments/tune/cli.py."""
import sys

from .cli import main

sys.exit(main())
