"""The exercises, one folder each (see tinynet/exercises/problem.py for what a folder holds)."""
