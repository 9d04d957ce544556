"""L2 regularisation (weight decay): L~ = L + λ Σw² over the connection weights.

Its gradient 2λw shrinks every weight in proportion to its size: large
weights shrink fast, none becomes exactly zero.

    python -m experiments.l2 --help
"""
from .cli import run_script
from .config import Experiment
from .sweeps import penalty_findings, penalty_sweep

LAMBDAS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2)


def findings(r):
    lines = penalty_findings(r, "l2")
    configs = r.configs("l2")
    lines.append("Σw² of the weights after training: "
                 + ", ".join(f"{c.weight_l2.mean:.0f} at λ={c.settings['l2']:g}" for c in configs)
                 + ".")
    return lines


EXPERIMENT = Experiment(
    name="l2",
    title="L2 regularisation (λ sweep)",
    question="Does an L2 penalty (weight decay) close the train-test gap?",
    configs=penalty_sweep("l2", LAMBDAS),
    findings=findings,
    sweep_param="l2",
    sweep_metric=("weight_l2", "Σw² of the connection weights", 1),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
