"""``--profile``: where tinynet's step spends its time, next to the ceiling's.

Per-phase times of tinynet and the ceiling without the profiler (the two
alternate step by step, so machine noise hits them alike), then a cProfile
of tinynet's step.
"""
import cProfile
import io
import pstats
import statistics
import time

from threadpoolctl import threadpool_limits

from . import contestants
from .timing import make_batches, run_steps

PHASES = ("forward", "loss + dL/dlogits", "backward", "update")


def phase_times(contestant, x, y, clock=time.perf_counter):
    """Seconds spent in each phase of one step of ``contestant`` (tinynet or ceiling)."""
    if isinstance(contestant, contestants.TinynetStep):
        model, loss_fn, optimizer = contestant.model, contestant.loss_fn, contestant.opt
        start = clock()
        logits = model(x)
        forward_done = clock()
        loss_fn(logits, y)
        optimizer.zero_grad()
        dlogits = loss_fn.backward()
        loss_done = clock()
        model.backward(dlogits)
        backward_done = clock()
        optimizer.step()
        update_done = clock()
    else:
        start = clock()
        contestant.forward(x)
        forward_done = clock()
        contestant.loss_and_grad(y)
        loss_done = clock()
        contestant.backward(x)
        backward_done = clock()
        contestant.update()
        update_done = clock()
    return (forward_done - start, loss_done - forward_done, backward_done - loss_done,
            update_done - backward_done)


def median_phases(competitors, batches_of):
    """Median µs per phase for each contestant, alternating them step by step."""
    rows = {contestant.name: [] for contestant in competitors}
    for i in range(min(len(batches) for batches in batches_of.values())):
        for contestant in competitors:
            rows[contestant.name].append(phase_times(contestant, *batches_of[contestant.name][i]))
    return {name: {phase: 1e6 * statistics.median(column) for phase, column in zip(PHASES, zip(*times))}
            for name, times in rows.items()}


def profile_tinynet(batch_size=10, steps=3000, top=25):
    """cProfile of tinynet's step, and per-phase timings of tinynet and the
    ceiling without the profiler (interleaved, 1 BLAS thread)."""
    weights = contestants.init_weights(0)
    tinynet_step = contestants.TinynetStep(weights, batch_size)
    ceiling_step = contestants.CeilingStep(weights, batch_size)
    competitors = (tinynet_step, ceiling_step)
    pool = make_batches(batch_size)
    batches_of = {}
    for contestant in competitors:
        prepared = [contestant.prepare(x, y) for x, y in pool]
        batches_of[contestant.name] = [prepared[i % len(prepared)] for i in range(steps)]
    walls = {"tinynet": [], "ceiling": []}
    with threadpool_limits(limits=1):
        for contestant in competitors:
            run_steps(contestant.step, batches_of[contestant.name][:200])
        for _ in range(3):                       # interleaved, median of 3
            for contestant in competitors:
                walls[contestant.name].append(run_steps(contestant.step, batches_of[contestant.name])
                                              / steps)
        phases = median_phases(competitors, batches_of)
        profiler = cProfile.Profile()
        profiler.enable()
        run_steps(tinynet_step.step, batches_of["tinynet"])
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return {"batch_size": batch_size, "steps": steps,
            "us_per_step": {name: 1e6 * statistics.median(times) for name, times in walls.items()},
            "phases_us": phases, "text": text.getvalue()}


def print_profile(profile):
    us_per_step = profile["us_per_step"]
    print(f"\n## Where tinynet's step spends its time (batch {profile['batch_size']}, 1 thread)\n")
    print("| phase | tinynet µs | ceiling µs | tinynet − ceiling |\n|---|---|---|---|")
    for phase in PHASES:
        tinynet_us, ceiling_us = profile["phases_us"]["tinynet"][phase], profile["phases_us"]["ceiling"][phase]
        print(f"| {phase} | {tinynet_us:.1f} | {ceiling_us:.1f} | {tinynet_us - ceiling_us:+.1f} |")
    print(f"| whole step (timed without phase clocks) | {us_per_step['tinynet']:.1f} | "
          f"{us_per_step['ceiling']:.1f} | {us_per_step['tinynet'] - us_per_step['ceiling']:+.1f} |")
    print(f"\ncProfile of tinynet's step ({profile['steps']} steps; matrix products run inside the "
          "calling function, so they count as its own time):\n")
    print("```")
    print(profile["text"].strip())
    print("```")
