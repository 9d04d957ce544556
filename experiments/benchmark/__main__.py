"""``python -m experiments.benchmark``; see ``python -m experiments.benchmark --help``."""
import sys

from .cli import main

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:       # the worker processes are stopped on the way out
        print("\npython -m experiments.benchmark: interrupted (the JSON is written at the end)",
              file=sys.stderr)
        sys.exit(130)
