"""Exercises with a grader: write the backward passes yourself.

    python -m tinynet.exercises init DIR              # a blank workspace
    python -m tinynet.exercises init DIR --lang ko    # statements and messages in Korean only
    python -m tinynet.exercises init DIR --solutions  # the reference solutions
    pytest DIR                                         # grade it all
    pytest DIR/test_exercises.py::test_linear          # grade one exercise

A workspace holds one file per exercise (a layer with its forward written
and its backward left to derive, or an optimizer's update rule or an
initialisation formula to write), a ``bughunt/`` folder of files with one
planted classic bug each, a README, and the tests that grade every file: a
layer with ``tinynet.gradcheck``, a function against tinynet's own (see
:mod:`tinynet.exercises.grader`). Each exercise
is a folder of ``problems/`` and each bug-hunt layer a folder of
``bughunt/`` (see :mod:`tinynet.exercises.problem`).
"""
from ..text import LANGUAGES
from .catalog import BUGS, EXERCISES
from .workspace import WorkspaceError, init_workspace, workspace_files

__all__ = ["BUGS", "EXERCISES", "LANGUAGES", "WorkspaceError", "init_workspace", "workspace_files"]
