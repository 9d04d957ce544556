"""Where each checkout's step spends its time, next to the ceiling's: the
four phases (forward, loss, backward, update; phases.py), timed in the
workers round by round, and ``--profile``'s cProfile of each tinynet step.
"""
import statistics

from .phases import PHASES
from .timing import Entry
from .workers import REFERENCE


def _entries(checkouts):
    return [Entry(c.label, c.label, "tinynet") for c in checkouts] + \
        [Entry("ceiling", REFERENCE, "ceiling")]


def measure_phases(workers, checkouts, batches, rounds, repeat_seconds):
    """{batch: {label: {phase: median µs}}}: per round, each contestant's
    per-phase medians over one slot of about ``repeat_seconds``, the order
    rotating; then the median over the rounds. One BLAS thread."""
    workers.ask_all("threads", threads=1)
    results = {}
    for batch in batches:
        entries = _entries(checkouts)
        steps = {}
        for entry in entries:
            workers.ask(entry.worker, "make", name=entry.label, contestant=entry.contestant,
                        variant="base", batch=batch)
            steps[entry.label] = workers.ask(entry.worker, "calibrate", name=entry.label,
                                             seconds=repeat_seconds)["steps"]
        seen = {entry.label: [] for entry in entries}
        for r in range(rounds):
            shift = r % len(entries)
            for entry in entries[shift:] + entries[:shift]:
                seen[entry.label].append(workers.ask(entry.worker, "phases", name=entry.label,
                                                     steps=steps[entry.label])["phases"])
        workers.ask_all("drop")
        results[batch] = {label: {phase: statistics.median(row[phase] for row in rows)
                                  for phase in PHASES} for label, rows in seen.items()}
        print(f"  batch {batch:>5}: " + "; ".join(
            f"{label} " + " / ".join(f"{us:.0f}" for us in phases.values()) + " µs"
            for label, phases in results[batch].items()), flush=True)
    return results


def profile_tinynets(workers, checkouts, batch_size=10, steps=3000, top=25):
    """{label: cProfile text} of each checkout's tinynet step (1 BLAS thread)."""
    workers.ask_all("threads", threads=1)
    texts = {}
    for checkout in checkouts:
        workers.ask(checkout.label, "make", name="profile", contestant="tinynet", variant="base",
                    batch=batch_size)
        texts[checkout.label] = workers.ask(checkout.label, "profile", name="profile",
                                            steps=steps, top=top)["text"]
    workers.ask_all("drop")
    return {"batch_size": batch_size, "steps": steps, "text": texts}
