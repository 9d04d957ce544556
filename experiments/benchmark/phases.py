"""Where a step spends its time: the four phases of tinynet's step and of
the ceiling's, and a cProfile of tinynet's (run inside a worker process).

    forward    model(x): the logits
    loss       the loss and dL/dlogits
    backward   zero_grad and the gradients of every parameter
    update     the SGD step
"""
import cProfile
import io
import pstats
import statistics
import time

PHASES = ("forward", "loss", "backward", "update")


def _tinynet_phases(contestant, x, y, clock):
    model, loss_fn, optimizer = contestant.model, contestant.loss_fn, contestant.opt
    start = clock()
    logits = model(x)
    forward_done = clock()
    loss_fn(logits, y)
    dlogits = loss_fn.backward()
    loss_done = clock()
    optimizer.zero_grad()
    model.backward(dlogits)
    backward_done = clock()
    optimizer.step()
    return start, forward_done, loss_done, backward_done, clock()


def _ceiling_phases(contestant, x, y, clock):
    start = clock()
    contestant.forward(x)
    forward_done = clock()
    contestant.loss_and_grad(y)
    loss_done = clock()
    contestant.backward(x)
    backward_done = clock()
    contestant.update()
    return start, forward_done, loss_done, backward_done, clock()


def phase_times(contestant, batches, clock=time.perf_counter):
    """Median µs of each phase of ``contestant`` (tinynet or the ceiling)
    over one step on each of ``batches``."""
    timed = _ceiling_phases if contestant.name == "ceiling" else _tinynet_phases
    rows = []
    for x, y in batches:
        marks = timed(contestant, x, y, clock)
        rows.append([later - earlier for earlier, later in zip(marks, marks[1:])])
    return {phase: 1e6 * statistics.median(column) for phase, column in zip(PHASES, zip(*rows))}


def profile(contestant, batches, top=25):
    """cProfile's report of ``contestant.step`` over ``batches``, by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for x, y in batches:
        contestant.step(x, y)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()
