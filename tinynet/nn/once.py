"""What one call leaves for the next to take, exactly once.

Three objects hand something from a forward call to its backward:

* ``model(x)`` leaves its tape for ``model.backward(grad)``;
* a layer called on its own, ``y = layer(x)``, leaves its cache for
  ``layer.backward(dy)``;
* a loss, ``loss = loss_fn(z, y)``, leaves its cache for ``loss_fn.backward()``.

Each keeps a :class:`Once`. ``take`` hands the value over a single time and
otherwise refuses with the message for what went wrong, from the owner's
``messages`` (a dict keyed by state, formatted with the owner's class name).
"""

EMPTY = "empty"             # nothing was ever put
FULL = "full"               # a value is waiting
FAILED = "failed"           # the call that should have put a value raised
TAKEN = "taken"             # the value was already taken
AMBIGUOUS = "ambiguous"     # put twice with no take between, where that is refused


class Once:
    """A value handed from one call to the next, once (see the module docstring)."""

    __slots__ = ("value", "state")

    def __init__(self):
        self.value, self.state = None, EMPTY

    def put(self, value, refuse_unused=False):
        """Leave ``value``. With ``refuse_unused``, putting over an untaken value makes
        the next ``take`` refuse (which of them was meant?)."""
        if refuse_unused and self.state in (FULL, AMBIGUOUS):
            self.value, self.state = None, AMBIGUOUS
        else:
            self.value, self.state = value, FULL

    def fail(self):
        """The call that was to put a value raised: nothing to take."""
        self.value, self.state = None, FAILED

    def peek(self, owner, messages):
        """The waiting value, without taking it; or the error for the state."""
        if self.state != FULL:
            raise RuntimeError(messages[self.state].format(name=type(owner).__name__))
        return self.value

    def take(self, owner, messages):
        """The waiting value, once; or the error for the state."""
        state, value = self.state, self.value
        if state in (FULL, AMBIGUOUS):          # an ambiguous value is refused once, then forgotten
            self.value, self.state = None, TAKEN
        if state != FULL:
            raise RuntimeError(messages[state].format(name=type(owner).__name__))
        return value
