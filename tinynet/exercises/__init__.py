"""Exercises with a grader: write the backward passes yourself.

    python -m tinynet.exercises init DIR              # a blank workspace
    python -m tinynet.exercises init DIR --lang ko    # statements in Korean only
    python -m tinynet.exercises init DIR --solutions  # the reference solutions
    pytest DIR                                         # grade it

A workspace holds one file per exercise (the forward written, the backward
left to derive), a ``bughunt/`` folder of layers with one planted classic
bug each, a README, and ``test_workspace.py``, which grades every file with
``tinynet.gradcheck`` (see :mod:`tinynet.exercises.grader`).
"""
from .catalog import BUGS, EXERCISES
from .workspace import LANGUAGES, WorkspaceError, init_workspace, workspace_files

__all__ = ["BUGS", "EXERCISES", "LANGUAGES", "WorkspaceError", "init_workspace", "workspace_files"]
