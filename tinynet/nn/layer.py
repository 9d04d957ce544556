"""The layer contract's base class (being moved here from module.py)."""
from .module import Layer  # noqa: F401
