"""``python -m experiments``: run every experiment (or the ones named) and
write results/REPORT.md. See ``python -m experiments --help``."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
