"""Command line: ``python -m tinynet.exercises init DIR [--solutions] [--lang en|ko|both] [--force]``."""
import argparse
import sys

from .catalog import BUGS, EXERCISES
from .workspace import LANGUAGES, WorkspaceError, init_workspace


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tinynet.exercises",
        description="Backpropagation exercises graded by tinynet.gradcheck "
                    "(역전파 연습 문제와 채점기).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init", help="write a student workspace into DIR",
        description="Write a workspace: one file per exercise with the backward left to write, "
                    "a bug hunt, a README and a pytest grader. Then run `pytest DIR`.")
    init.add_argument("directory", metavar="DIR", help="the folder to create (new or empty)")
    init.add_argument("--solutions", action="store_true",
                      help="write the reference solutions instead of blanks (pytest DIR then passes)")
    init.add_argument("--lang", choices=LANGUAGES, default="both",
                      help="language of the statements: en, ko (한국어) or both (default)")
    init.add_argument("--force", action="store_true",
                      help="write into a non-empty folder; files it replaces are kept as NAME.bak")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        written, backed_up = init_workspace(args.directory, solutions=args.solutions,
                                            lang=args.lang, force=args.force)
    except WorkspaceError as exc:
        parser.exit(2, f"{parser.prog} init: error: {exc}\n")
    kind = "reference solutions" if args.solutions else "exercises"
    print(f"Wrote {len(EXERCISES)} {kind} and {len(BUGS)} bug-hunt files to {args.directory} "
          f"({len(written)} files).")
    for path in backed_up:
        print(f"kept the previous version as {path}")
    print(f"Next: read {args.directory}/README.md, then run `pytest {args.directory}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
