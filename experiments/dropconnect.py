"""DropConnect: drop connections (weights) instead of units.

The four hidden Linear layers become DropConnect(p) layers: at every step
each weight is zeroed with probability p (the survivors scaled by 1/(1-p));
at test time the full weights are used.

    python -m experiments.dropconnect --help
"""
from .cli import run_script
from .config import Experiment, RunConfig


def findings(r):
    base = r.baseline("dropconnect")
    lines = [f"{c.label}: test {c.test_acc.acc()} (train {c.train_acc.acc()}), which "
             f"{(c.test_acc - base.test_acc).verb()} compared with the baseline."
             for c in r.configs("dropconnect")]
    if r.has("dropout"):
        dropout = r.get("dropout", "baseline_hparams")
        same_p = [c for c in r.configs("dropconnect") if c.settings["dropconnect"] == 0.2]
        if same_p:
            lines.append(f"DropConnect(0.2) vs Dropout(0.2) with the same schedule: "
                         f"{(same_p[0].test_acc - dropout.test_acc).points()}.")
    return lines


EXPERIMENT = Experiment(
    name="dropconnect",
    title="DropConnect",
    question="Does dropping random connections instead of units reduce the overfitting?",
    configs=tuple(RunConfig(f"p{p:g}", f"DropConnect(p={p:g})", dropconnect=p) for p in (0.2, 0.5)),
    findings=findings,
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
