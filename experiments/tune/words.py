"""The search report's words, in English and Korean (tinynet.text.Text):
each sentence is built from the same numbers in both languages."""
from tinynet.text import Text

from ..report_text import object_particle

PARAM_NAMES = {"lr": Text("learning rate", "학습률"),
               "l2": Text("L2 λ", "L2 λ (가중치 감쇠)"),
               "l1": Text("L1 λ", "L1 λ"),
               "dropout": Text("dropout rate", "드롭아웃 비율")}

WORDS = {
    "en": {
        "title": "# Hyperparameter search: learning rate and {reg}",
        "other": "[한국어 보고서](REPORT.ko.md)",
        "generated": "Generated {date} by `{command}`; every number below is computed from the "
                     "runs of that command.",
        "best": "## Best trials",
        "table_head": "| rank | round | learning rate | {reg} | validation accuracy | "
                      "train accuracy |",
        "test": "## The chosen configuration on the test set",
        "single": "(one seed)",
        "all_diverged": "Every seed of the chosen configuration, or of the baseline, diverged: "
                        "there is no test accuracy to compare.",
    },
    "ko": {
        "title": "# 하이퍼파라미터 탐색: 학습률과 {reg}",
        "other": "[English report](REPORT.md)",
        "generated": "{date}에 `{command}`로 만들었다. 아래의 모든 숫자는 이 명령의 실행 결과로 "
                     "계산했다.",
        "best": "## 가장 좋은 시행",
        "table_head": "| 순위 | 라운드 | 학습률 | {reg} | 검증 정확도 | 학습 정확도 |",
        "test": "## 선택한 구성의 테스트 정확도",
        "single": "(시드 하나)",
        "all_diverged": "선택한 구성이나 기준 모델의 모든 시드가 발산했다: 비교할 테스트 정확도가 없다.",
    },
}


def method(outcome):
    """How the search was done, with its numbers."""
    a, reg = outcome.args, PARAM_NAMES[outcome.space.regulariser]
    first = outcome.rounds[0]["ranges"]
    ranges = Text(*(", ".join(f"{PARAM_NAMES[k].pick(lang)} [{lo:g}, {hi:g}]"
                              for k, (lo, hi) in first.items()) for lang in ("en", "ko")))
    lines = [Text(
        f"Random search (Deep Learning from Scratch, 6.5): {a.trials} trials per round, the "
        f"learning rate and the {reg.en} drawn log-uniformly from {ranges.en} (search seed "
        f"{a.search_seed}). Each trial trains the lecture's MLP on the first 300 training "
        f"images for {a.epochs} epochs with {a.seeds_per_trial} seed(s) and is scored by its "
        f"validation accuracy after the last epoch (mean over its seeds) on the {a.val_size} "
        f"training images after those 300 (images 300 to {299 + a.val_size}). The trials never "
        "see the test set.",
        f"무작위 탐색(밑바닥부터 시작하는 딥러닝 6.5절): 라운드마다 시행 {a.trials}개, 학습률과 "
        f"{reg.ko}{object_particle(reg.ko)} {ranges.ko}에서 로그 균등 분포로 뽑았다 (탐색 시드 {a.search_seed}). 각 시행은 "
        f"강의의 MLP를 학습 이미지 앞 300장으로 {a.epochs} 에폭 동안 시드 {a.seeds_per_trial}개로 "
        f"학습하고, 그 300장 다음의 학습 이미지 {a.val_size}장(300번부터 {299 + a.val_size}번)으로 "
        "마지막 에폭 후의 검증 정확도(시드 평균)를 점수로 삼는다. 시행은 테스트 데이터를 한 번도 "
        "보지 않는다.")]
    for later in outcome.rounds[1:]:
        narrowed = Text(*(", ".join(f"{PARAM_NAMES[k].pick(lang)} [{lo:.3g}, {hi:.3g}]"
                                    for k, (lo, hi) in later["ranges"].items())
                          for lang in ("en", "ko")))
        lines.append(Text(
            f"Round {later['round']} searched {narrowed.en}: the ranges of the best trials so "
            "far, widened by a factor of 2 on each side.",
            f"{later['round']}라운드는 {narrowed.ko}에서 탐색했다: 지금까지 가장 좋은 시행들의 범위를 "
            "양쪽으로 2배 넓힌 범위다."))
    return lines


def _baseline_setup(settings):
    penalties = [k for k in ("l1", "l2", "dropout", "dropconnect") if settings[k]]
    kept = Text(*(", ".join(f"{PARAM_NAMES.get(k, Text(k, k)).pick(lang)} {settings[k]:g}"
                            for k in penalties) for lang in ("en", "ko")))
    return Text(f"learning rate {settings['lr']:g}, {kept.en or 'no regularisation'}",
                f"학습률 {settings['lr']:g}, {kept.ko or '정규화 없음'}")


def choice(outcome, chosen, base, versus):
    """The chosen configuration against the baseline, on the test set."""
    a, top = outcome.args, outcome.ranked[0]
    setup = _baseline_setup(outcome.baseline[0]["settings"])
    values = Text(*(", ".join(f"{PARAM_NAMES[k].pick(lang)} {v:g}" for k, v in top.values.items())
                    for lang in ("en", "ko")))
    score = outcome.scores[top.name]
    return Text(
        f"Chosen: {values.en} (validation accuracy {score:.4f}). Retrained with seeds 0 to "
        f"{a.seeds - 1} on the same 300 images for {a.epochs} epochs and evaluated on the 10,000 "
        f"test images once, after the last epoch: test accuracy {chosen}, against {base} for the "
        f"baseline ({setup.en}, the same epochs and seeds): the chosen "
        f"configuration {versus.en}.",
        f"선택: {values.ko} (검증 정확도 {score:.4f}). 같은 300장으로 시드 0~{a.seeds - 1}, "
        f"{a.epochs} 에폭 동안 다시 학습한 뒤 마지막 에폭 후에 테스트 이미지 10,000장으로 한 번 "
        f"평가했다: 테스트 정확도 {chosen}, 기준 모델({setup.ko}, 같은 에폭과 시드)은 "
        f"{base}. 선택한 구성은 {versus.ko}.")


def test_set_use(chosen_runs, evaluations, trial_runs):
    """How often the test set was evaluated, and by which runs."""
    return Text(
        f"The test set was evaluated {evaluations} time(s): once by each of the {chosen_runs} "
        f"finished runs of the chosen configuration, and by none of the {trial_runs} trial runs "
        "(their records hold no test numbers; the lab checks this before writing this report). "
        "The baseline is the lab's own run, evaluated as in the lab.",
        f"테스트 데이터는 {evaluations}번 평가했다: 선택한 구성의 끝까지 학습한 실행 {chosen_runs}개가 "
        f"한 번씩 평가했고, 시행 실행 {trial_runs}개는 한 번도 평가하지 않았다 (기록에 테스트 숫자가 "
        "없으며, 이 보고서를 쓰기 전에 실습 코드가 확인한다). 기준 모델은 실습의 기준 모델 실행 그대로이며 "
        "실습에서처럼 평가했다.")
