"""L1 regularisation: L~ = L + λ Σ|w| over the connection weights, minimised two ways.

The gradient of λ|w| is λ·sign(w): the same pull towards 0 for every weight.
With the lecture's step (the subgradient, ``optim.SGD(..., l1=λ)``) a weight
the data does not need moves lr·λ towards 0 at each step and jumps past 0
once it is closer than that: it ends up oscillating within lr·λ of 0 --
near 0, but exactly 0 only by chance. The proximal step
(``optim.SGD(..., l1=λ, l1_mode="proximal")``) sets every weight that
would cross 0 to exactly 0 (soft-thresholding): that way L1 makes the
network sparse. Both are run for the same λ; the report counts the weights
that are exactly 0 in every run.

    python -m experiments.l1 --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment
from .figures.catalogue import learning_curves, sweep, weight_histograms
from .sweeps import (PROXIMAL, grows_with_lambda, in_mode, penalty_findings, penalty_sweep,
                     proximal_sweep)

KOREAN = Text("L1 정규화 (λ 변화, 두 가지 스텝)",
              "L1 정규화는 학습-테스트 차이를 줄이는가? 가중치를 얼마나 0으로 만드는가 -- 강의의 "
              "서브그레이디언트 스텝과 근접(proximal) 스텝에서?")
LAMBDAS = (0.0, 1e-5, 1e-4, 3e-4, 1e-3)
CONFIGS = penalty_sweep("l1", LAMBDAS) + proximal_sweep(LAMBDAS)
LABELS_KO = {c.name: c.label.replace(PROXIMAL.en, PROXIMAL.ko) for c in CONFIGS}


def _shares(configs, key):
    """(English, Korean) listing of a share's mean over seeds along λ."""
    shares = [getattr(c, key).mean for c in configs]
    return shares, Text(
        ", ".join(f"{share:.1%} at λ={c.settings['l1']:g}" for c, share in zip(configs, shares)),
        ", ".join(f"λ={c.settings['l1']:g}에서 {share:.1%}" for c, share in zip(configs, shares)))


def _near_zero(configs):
    shares, listed = _shares(configs, "near_zero_weights")
    grows = grows_with_lambda(shares)
    return Text(
        f"Subgradient step, weights near 0 (|w| < 1e-3): {listed.en} -- "
        + ("the share grows with λ: L1 pulls the weights the data does not need towards 0."
           if grows else "the share does not grow steadily with λ in these runs."),
        f"서브그레이디언트 스텝, 0에 가까운 가중치(|w| < 1e-3)의 비율: {listed.ko} -- "
        + ("λ가 커질수록 비율이 늘어난다: L1은 데이터에 필요 없는 가중치를 0 쪽으로 끌어당긴다."
           if grows else "이 실행들에서는 λ와 함께 꾸준히 늘지 않는다."))


def _exact_zeros(configs, mode):
    """What share of the weights is exactly 0 in one mode, and what that says."""
    penalised = [c for c in configs if c.settings["l1"] > 0]
    if not penalised or not all("zero_weights" in c.data["final"] for c in penalised):
        return []
    shares, listed = _shares(penalised, "zero_weights")
    name = Text("Proximal step", "근접 스텝") if mode == "proximal" else \
        Text("Subgradient step (the lecture's)", "서브그레이디언트 스텝(강의의 방법)")
    if max(c.zero_weights.max for c in penalised) == 0:
        return [Text(f"{name.en}: no weight is exactly 0 in any run, at any λ: the weights L1 "
                     "pulls down stay near 0, not at 0.",
                     f"{name.ko}: 어떤 λ의 어떤 실행에서도 정확히 0인 가중치가 없다: L1이 끌어내린 "
                     "가중치는 0 근처에 머물 뿐 0이 되지 않는다.")]
    sparse = grows_with_lambda(shares) and mode == "proximal"
    return [Text(f"{name.en}, weights exactly 0: {listed.en}"
                 + (" -- the share grows with λ: minimised this way, L1 makes the network sparse."
                    if sparse else "."),
                 f"{name.ko}, 정확히 0인 가중치의 비율: {listed.ko}"
                 + (" -- λ가 커질수록 비율이 늘어난다: 이렇게 최소화하면 L1은 신경망을 희소하게 만든다."
                    if sparse else "."))]


def findings(r):
    configs = r.configs("l1")
    subgradient, proximal = in_mode(configs, "subgradient"), in_mode(configs, "proximal")
    lines = penalty_findings(r, "l1", subgradient)
    lines.append(_near_zero(subgradient))
    lines += _exact_zeros(subgradient, "subgradient")
    if len(proximal) > 1:
        lines += penalty_findings(r, "l1", proximal, Text("Proximal step: ", "근접 스텝: "))
        lines += _exact_zeros(proximal, "proximal")
    return lines


EXPERIMENT = Experiment(
    name="l1",
    title="L1 regularisation (λ sweep, two ways of stepping)",
    question="Does an L1 penalty close the train-test gap, and how many weights does it set to "
             "zero -- with the lecture's subgradient step and with the proximal step?",
    configs=CONFIGS,
    findings=findings,
    figures=(learning_curves, sweep, weight_histograms),
    sweep_param="l1",
    sweep_metric=("share of the weights (%)", 100,
                  (("zero_weights", "exactly 0"), ("near_zero_weights", "|w| < 1e-3"))),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
