"""The lab's progress line: one stderr line per finished job, with the time left."""
import sys
import time


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """One stderr line per finished job, with an estimate of the time left."""

    def __init__(self, todo, reused, stream=None):
        self.total_cost = sum(job.cost() for job in todo)
        self.done_cost = 0
        self.count, self.total = 0, len(todo)
        self.started = time.perf_counter()
        self.stream = stream or sys.stderr
        self.reused = reused
        if reused:
            print(f"reusing {reused} finished run(s) stored earlier with the same settings",
                  file=self.stream, flush=True)

    def update(self, job, record):
        self.count += 1
        self.done_cost += job.cost()
        elapsed = time.perf_counter() - self.started
        left = elapsed * (self.total_cost - self.done_cost) / max(self.done_cost, 1)
        final, diverged = record["final"], record.get("diverged")
        if diverged:
            last = diverged["last_finite_loss"]
            outcome = (f"diverged at epoch {diverged['epoch']} (last finite loss "
                       f"{'none' if last is None else f'{last:.3g}'})")
        else:
            split = "test" if "test_acc" in final else "val"      # a tuning trial: validation
            outcome = f"train {final['train_acc']:.3f} {split} {final[f'{split}_acc']:.4f}"
        print(f"[{self.count:>{len(str(self.total))}}/{self.total}] {job.label}: "
              f"{outcome} in {record['seconds']:.1f}s | elapsed {_clock(elapsed)}, ~{_clock(left)} left",
              file=self.stream, flush=True)
