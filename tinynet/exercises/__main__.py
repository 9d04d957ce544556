"""Command line: ``python -m tinynet.exercises init DIR [--solutions] [--lang en|ko|both] [--force]``."""
import argparse
import sys

from ..text import LANGUAGES, Text
from .catalog import BUGS, EXERCISES
from .messages import inline, say
from .workspace import WorkspaceError, init_workspace


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tinynet.exercises",
        description="Backpropagation exercises graded by tinynet.gradcheck, and update rules and "
                    "initialisations graded against tinynet's own (역전파 연습 문제와 채점기).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init", help="write a student workspace into DIR",
        description="Write a workspace: one file per exercise with the backward (or the update rule, "
                    "or the formula) left to write, a bug hunt, a README and a pytest grader. "
                    "Then run `pytest DIR`.")
    init.add_argument("directory", metavar="DIR",
                      help="the folder to create (new or empty; its parent folder must exist)")
    init.add_argument("--solutions", action="store_true",
                      help="write the reference solutions instead of blanks (pytest DIR then passes)")
    init.add_argument("--lang", choices=LANGUAGES, default="both",
                      help="language of the statements and of the grader's messages: "
                           "en, ko (한국어) or both (default)")
    init.add_argument("--force", action="store_true",
                      help="write into a non-empty folder; files it replaces are kept as NAME.bak")
    return parser


WROTE = Text("Wrote {exercises} {kind} and {bugs} bug-hunt files to {directory} ({files} files).",
             "{directory}에 {kind} {exercises}개와 버그 찾기 파일 {bugs}개를 썼습니다 (파일 {files}개).")
KIND = {False: Text("exercises", "연습 문제"), True: Text("reference solutions", "모범 답안")}
KEPT = Text("kept the previous version as {path}", "이전 버전을 {path}(으)로 보관했습니다")
NEXT = Text("Next: read {directory}/README.md, then run `pytest {directory}`.",
            "다음: {directory}/README.md를 읽고 `pytest {directory}`를 실행하세요.")


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        written, backed_up = init_workspace(args.directory, solutions=args.solutions,
                                            lang=args.lang, force=args.force)
    except WorkspaceError as exc:           # one line, even in both languages
        parser.exit(2, f"{parser.prog} init: error: {inline(exc.text, args.lang)}\n")
    kind = KIND[args.solutions]
    print(say(WROTE, args.lang, exercises=len(EXERCISES), kind=kind, bugs=len(BUGS),
              directory=args.directory, files=len(written)))
    for path in backed_up:
        print(say(KEPT, args.lang, path=path))
    print(say(NEXT, args.lang, directory=args.directory))
    return 0


if __name__ == "__main__":
    sys.exit(main())
