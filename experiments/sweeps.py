"""What the l1 and l2 sweeps share: their configurations and findings."""
from .config import RunConfig


def penalty_sweep(kind, lambdas):
    """One baseline configuration per λ of an "l1" or "l2" penalty."""
    return tuple(RunConfig(f"{kind}_{lam:g}", f"{kind.upper()} λ = {lam:g}", **{kind: lam})
                 for lam in lambdas)


def penalty_findings(r, kind):
    """Gap and test accuracy along the sweep, the best λ, and collapsed seeds."""
    configs = r.configs(kind)
    none, strongest = configs[0], configs[-1]

    def lam(c):
        return f"λ={c.settings[kind]:g}"

    best = max(configs[1:], key=lambda c: c.test_acc.mean)
    lines = [
        "Train-test gap in points: "
        + ", ".join(f"{100 * c.gap.mean:.1f} at {lam(c)}" for c in configs) + ".",
        "Test accuracy: " + ", ".join(f"{c.test_acc.mean:.4f} at {lam(c)}" for c in configs) + ".",
        f"The best penalised run, {lam(best)}, {(best.test_acc - none.test_acc).verb()} compared "
        f"with no penalty ({best.test_acc.acc()} vs {none.test_acc.acc()}).",
    ]
    closing = strongest.gap - none.gap
    if closing.clear and closing.value < 0:
        lines.append(
            f"The strongest penalty, {lam(strongest)}, closes the gap from {none.gap.points()} to "
            f"{strongest.gap.points()}: train accuracy changed by "
            f"{(strongest.train_acc - none.train_acc).points()}, test accuracy by "
            f"{(strongest.test_acc - none.test_acc).points()}.")
    else:
        lines.append(f"Even the strongest penalty, {lam(strongest)}, does not clearly close the gap "
                     f"({none.gap.points()} without, {strongest.gap.points()} with it).")
    collapsed = [(c, int((c.train_acc.values < 0.5).sum())) for c in configs]
    collapsed = [(c, k) for c, k in collapsed if k]
    if collapsed:
        lines.append("Seeds that never learned to fit the training images (train accuracy below "
                     "50%): " + ", ".join(f"{k} of {c.n} at {lam(c)}" for c, k in collapsed)
                     + " -- a penalty that strong outweighs the data loss.")
    return lines
