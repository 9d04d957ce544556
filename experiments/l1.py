"""L1 regularisation: L~ = L + λ Σ|w| over the connection weights.

Its gradient λ·sign(w) pulls every weight towards 0 by the same amount,
so weights that the data does not need end up (nearly) exactly at zero:
L1 makes the network sparse.

    python -m experiments.l1 --help
"""
from .cli import run_script
from .config import Experiment
from .sweeps import penalty_findings, penalty_sweep

LAMBDAS = (0.0, 1e-5, 1e-4, 3e-4, 1e-3)


def findings(r):
    lines = penalty_findings(r, "l1")
    configs = r.configs("l1")
    none, strongest = configs[0], configs[-1]
    lines.append(
        f"Near-zero weights (|w| < 1e-3): {none.near_zero_weights.mean:.1%} without the penalty, "
        + ", ".join(f"{c.near_zero_weights.mean:.1%} at λ={c.settings['l1']:g}" for c in configs[1:])
        + f" -- the share grows with λ (from {none.near_zero_weights.mean:.1%} to "
          f"{strongest.near_zero_weights.mean:.1%}).")
    return lines


EXPERIMENT = Experiment(
    name="l1",
    title="L1 regularisation (λ sweep)",
    question="Does an L1 penalty close the train-test gap, and how sparse does it make the weights?",
    configs=penalty_sweep("l1", LAMBDAS),
    findings=findings,
    sweep_param="l1",
    sweep_metric=("near_zero_weights", "share of near-zero weights, |w| < 1e-3 (%)", 100),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
