"""What the RMSprop and Adam exercises share: one step of tinynet.optim's own
optimizer on given arrays (the reference), and several steps in a row compared.

An optimizer of tinynet.optim keeps its running means in ``opt.state[0]``
(name -> array) and updates them, and its parameter's data, in place. Handing
it the case's arrays as that state and data, one step of the real optimizer
updates those very arrays: the reference is the optimizer itself, not a copy
of its formula.
"""
from tinynet.nn.parameter import Parameter
from tinynet.text import Text

AFTER_STEP = Text("{name} after step {step}", "{step}번째 스텝 후의 {name}")


def one_step_of(optimizer, param, grad, state, **settings):
    """One step of ``optimizer`` (say optim.Adam, made with ``settings``) with
    ``param`` as its parameter's data and ``state`` (name -> array or count)
    as its state; ``param`` and the arrays of ``state`` are updated in place."""
    p = Parameter(param)
    p.grad = grad
    opt = optimizer([p], **settings)
    opt.state[0].update(state)
    opt.step()
    counts = {name: value + 1 for name, value in state.items() if isinstance(value, int)}
    # Kept elsewhere, its running means would not be the arrays given, nor its count the one given.
    if set(opt.state[0]) != set(state) or any(opt.state[0][name] != count for name, count in counts.items()):
        raise RuntimeError(f"tinynet.optim.{optimizer.__name__}'s state is now {sorted(opt.state[0])}: update "
                           f"the exercise's reference, which hands it {sorted(state)}")


def several_steps(*state, counted=False):
    """A ReferenceCheck ``run`` for ``step(param, grad, *state[, t], *settings)``
    on a case ``(param, gradients, *state, *settings)``: one call per gradient,
    as an optimizer is called once per batch (with ``counted``, the step's
    number t = 1, 2, ... follows the state); param and every state array are
    compared after every step."""
    def run(step, args):
        param, grads, *rest = args
        arrays, settings = rest[:len(state)], rest[len(state):]
        compared = {}
        for t, grad in enumerate(grads, 1):
            step(param, grad, *arrays, *([t] if counted else []), *settings)
            for name, value in zip(("param",) + state, [param] + arrays):
                compared[AFTER_STEP.format(name=name, step=t)] = value.copy()
        return compared
    return run
