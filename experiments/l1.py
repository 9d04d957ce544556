"""L1 regularisation: L~ = L + λ Σ|w| over the connection weights.

Its gradient λ·sign(w) pulls every weight towards 0 by the same amount,
so weights that the data does not need end up (nearly) exactly at zero:
L1 makes the network sparse.

    python -m experiments.l1 --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment
from .figures.catalogue import learning_curves, sweep, weight_histograms
from .sweeps import grows_with_lambda, penalty_findings, penalty_sweep

KOREAN = Text("L1 정규화 (λ 변화)",
              "L1 정규화는 학습-테스트 차이를 줄이는가? 가중치를 얼마나 희소하게 만드는가?")
LAMBDAS = (0.0, 1e-5, 1e-4, 3e-4, 1e-3)


def findings(r):
    lines = penalty_findings(r, "l1")
    configs = r.configs("l1")
    shares = [c.near_zero_weights.mean for c in configs]
    listed = ", ".join(f"{share:.1%} at λ={c.settings['l1']:g}" for c, share in zip(configs, shares))
    listed_ko = ", ".join(f"λ={c.settings['l1']:g}에서 {share:.1%}" for c, share in zip(configs, shares))
    if grows_with_lambda(shares):
        lines.append(Text(
            f"Weights near 0 (|w| < 1e-3): {listed} -- the share grows with λ: L1 makes the "
            "network sparse.",
            f"0에 가까운 가중치(|w| < 1e-3)의 비율: {listed_ko} -- λ가 커질수록 비율이 늘어난다: L1은 "
            "신경망을 희소하게 만든다."))
    else:
        lines.append(Text(
            f"Weights near 0 (|w| < 1e-3): {listed} -- the share does not grow steadily with λ "
            "in these runs.",
            f"0에 가까운 가중치(|w| < 1e-3)의 비율: {listed_ko} -- 이 실행들에서는 λ와 함께 꾸준히 "
            "늘지 않는다."))
    return lines


EXPERIMENT = Experiment(
    name="l1",
    title="L1 regularisation (λ sweep)",
    question="Does an L1 penalty close the train-test gap, and how sparse does it make the weights?",
    configs=penalty_sweep("l1", LAMBDAS),
    findings=findings,
    figures=(learning_curves, sweep, weight_histograms),
    sweep_param="l1",
    sweep_metric=("near_zero_weights", "share of near-zero weights, |w| < 1e-3 (%)", 100),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
