"""DropConnect: drop connections (weights) instead of units.

The four hidden Linear layers become DropConnect(p) layers: at every step
each weight is zeroed with probability p (the survivors scaled by 1/(1-p));
at test time the full weights are used.

    python -m experiments.dropconnect --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves
from .report_text import judged, versus_baseline
from .summary import MissingResults

LABELS_KO = {"p0.2": "드롭 커넥트(p=0.2)", "p0.5": "드롭 커넥트(p=0.5)"}
KOREAN = Text("드롭 커넥트",
              "유닛 대신 무작위 연결(가중치)을 끊으면 과적합이 줄어드는가?")


def findings(r):
    base = r.baseline("dropconnect")
    lines = []
    for c in r.configs("dropconnect"):
        lines.append(versus_baseline(c, base))
    same_p = [c for c in r.configs("dropconnect") if c.settings["dropconnect"] == 0.2]
    try:
        dropout = r.get("dropout", "baseline_hparams")
    except MissingResults:
        dropout = None
    if same_p and dropout is not None and all(
            same_p[0].settings[k] == dropout.settings[k] for k in ("epochs", "batch_size", "lr")):
        d = same_p[0].test_acc - dropout.test_acc
        lines.append(Text(
            f"DropConnect(0.2) minus Dropout(0.2) with the same schedule: {judged(d).en}.",
            f"같은 일정에서 드롭 커넥트(0.2) - 드롭아웃(0.2): {judged(d).ko}."))
    return lines


EXPERIMENT = Experiment(
    name="dropconnect",
    title="DropConnect",
    question="Does dropping random connections instead of units reduce the overfitting?",
    configs=tuple(RunConfig(f"p{p:g}", f"DropConnect(p={p:g})", dropconnect=p) for p in (0.2, 0.5)),
    findings=findings,
    figures=(learning_curves,),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
