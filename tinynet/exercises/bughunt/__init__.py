"""The bug-hunt layers, one folder each (see tinynet/exercises/problem.py for what a folder holds)."""
