"""L2 regularisation (weight decay): L~ = L + λ Σw² over the connection weights.

Its gradient 2λw shrinks every weight in proportion to its size: large
weights shrink fast, none becomes exactly zero.

    python -m experiments.l2 --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment
from .figures.catalogue import learning_curves, sweep, weight_histograms
from .sweeps import grows_with_lambda, penalty_findings, penalty_sweep

KOREAN = Text("L2 정규화 (λ 변화)",
              "L2 정규화(가중치 감쇠)는 학습-테스트 차이를 줄이는가?")
LAMBDAS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2)


def findings(r):
    lines = penalty_findings(r, "l2")
    configs = r.configs("l2")
    sizes = [c.weight_l2.mean for c in configs]
    listed = ", ".join(f"{size:.0f} at λ={c.settings['l2']:g}" for c, size in zip(configs, sizes))
    listed_ko = ", ".join(f"λ={c.settings['l2']:g}에서 {size:.0f}" for c, size in zip(configs, sizes))
    shrinks = grows_with_lambda([-s for s in sizes])
    lines.append(Text(
        f"Σw² of the weights after training: {listed}"
        + (" -- it shrinks as λ grows." if shrinks else "."),
        f"학습 후 가중치의 Σw²: {listed_ko}" + (" -- λ가 커질수록 줄어든다." if shrinks else ".")))
    return lines


EXPERIMENT = Experiment(
    name="l2",
    title="L2 regularisation (λ sweep)",
    question="Does an L2 penalty (weight decay) close the train-test gap?",
    configs=penalty_sweep("l2", LAMBDAS),
    findings=findings,
    figures=(learning_curves, sweep, weight_histograms),
    sweep_param="l2",
    sweep_metric=("Σw² of the connection weights", 1, (("weight_l2", "Σw²"),)),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
