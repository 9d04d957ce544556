"""The report's findings that span experiments -- divergence, the lecture's
numbers, tinynet vs PyTorch -- and the safe call of an experiment's own
``findings(results)``. Every finding is a :class:`tinynet.text.Text` (English and
Korean from the same numbers) and is stated only when its condition holds.
"""
import numpy as np

from tinynet.text import Text

from .report_text import acc, points
from .summary import FRAMEWORK_NAMES, MissingResults


def divergence_findings(results):
    """One line per configuration with diverged seeds, and the usual cause."""
    lines = []
    for experiment, framework, c in results.diverged():
        epochs = sorted(d["epoch"] for d in c.diverged)
        where = f"epoch {epochs[0]}" if epochs[0] == epochs[-1] else f"epochs {epochs[0]}-{epochs[-1]}"
        where_ko = f"{epochs[0]}번째 에폭" if epochs[0] == epochs[-1] else f"{epochs[0]}~{epochs[-1]}번째 에폭"
        rest = (f"statistics are over the other {c.n} seeds" if c.n else
                "no statistics: every seed diverged")
        rest_ko = (f"통계는 나머지 시드 {c.n}개로 계산했다" if c.n else
                   "모든 시드가 발산해 통계가 없다")
        where_run = "" if framework == "tinynet" else f" ({FRAMEWORK_NAMES[framework]})"
        name, name_ko = f"{experiment}/{c.label}{where_run}", f"{experiment}/{c.label_ko}{where_run}"
        lines.append(Text(
            f"**{name}**: {len(c.diverged)} of {c.seeds} seeds diverged (loss or weights not finite, "
            f"at {where}, lr = {c.settings.get('lr')}); {rest}.",
            f"**{name_ko}**: 시드 {c.seeds}개 중 {len(c.diverged)}개가 발산했다 ({where_ko}에서 손실 또는 "
            f"가중치가 유한하지 않음, lr = {c.settings.get('lr')}). {rest_ko}."))
    if lines:
        lines.append(Text(
            "The usual cause is a learning rate that is too high: each step overshoots, the loss "
            "grows until it overflows. Try a smaller `--lr` (the lecture uses 0.1).",
            "흔한 원인은 너무 큰 학습률이다: 매 스텝이 최솟값을 지나쳐 손실이 커지다가 넘쳐 버린다. "
            "더 작은 `--lr`로 다시 실행해 보라 (강의는 0.1을 쓴다)."))
    return lines


def lecture_findings(results):
    """For every configuration with a number from the lecture: is it
    comparable with our seeds (THE rule, stats.Stat.versus_single)?"""
    lines = []
    for (experiment, framework) in results.summaries:
        if framework != "tinynet":
            continue
        for ours in results.all_configs(experiment):
            reported = ours.lecture_reported
            if reported is None or not ours.usable:
                continue
            verdicts = [(ours.test_acc.versus_single(reported).verdict, "the proper evaluation",
                         "올바른 평가"),
                        (ours.lecture_eval_test_acc.versus_single(reported).verdict,
                         "the lecture's evaluation", "강의 방식의 평가")]
            if ours.n < 2:
                verdict = Text("one seed only: too little spread to judge", "시드 하나뿐이라 판단할 수 없다")
            else:
                matching = [(en, ko) for v, en, ko in verdicts if v == "comparable"]
                if matching:
                    verdict = Text(" and ".join(en for en, _ in matching) + " agree with it "
                                   "(within two standard errors)",
                                   ", ".join(ko for _, ko in matching) + "와 일치한다 (표준오차 2배 이내)")
                else:
                    verdict = Text("neither of our evaluations agrees with it (more than two "
                                   "standard errors away)",
                                   "두 평가 모두 이 값과 다르다 (표준오차 2배 밖)")
            lines.append(Text(
                f"{experiment} / {ours.label}: the lecture reports {reported:.4f}; we measure "
                f"{acc(ours.test_acc)} properly and {acc(ours.lecture_eval_test_acc)} the "
                f"lecture's way: {verdict.en}.",
                f"{experiment} / {ours.label_ko}: 강의가 보고한 값은 {reported:.4f}이고, 우리 측정값은 "
                f"올바른 평가로 {acc(ours.test_acc)}, 강의 방식의 평가로 "
                f"{acc(ours.lecture_eval_test_acc)}이다: {verdict.ko}."))
    return lines or [Text("No configuration with a number from the lecture was run with the "
                          "lecture's settings.",
                          "강의와 같은 설정으로 실행한 구성이 없어 강의의 숫자와 비교할 수 없다.")]


def framework_findings(results, rows):
    """How far apart tinynet and PyTorch land, over the table's rows."""
    pairs = [(row, row["tinynet"].test_acc - row["torch"].test_acc)
             for row in rows if row.get("tinynet") and row.get("torch")]
    if not pairs:
        return [Text("No PyTorch runs with matching settings in this report: add "
                     "`--framework both` to compare.",
                     "같은 설정의 PyTorch 실행이 이 보고서에 없다: 비교하려면 `--framework both`를 붙여 "
                     "실행하라.")]
    diffs = np.array([d.value for _, d in pairs])
    worst_row, worst = max(pairs, key=lambda p: abs(p[1].value))
    within = sum(d.verdict in ("comparable", "no spread") for _, d in pairs)
    return [
        Text(f"Over {len(pairs)} configurations run in both frameworks, mean test accuracies "
             f"differ by {100 * np.mean(np.abs(diffs)):.2f} points on average (largest: "
             f"{worst_row.experiment}/{worst_row.label}, tinynet − PyTorch = {points(worst).en}).",
             f"두 프레임워크로 모두 실행한 구성 {len(pairs)}개에서 평균 테스트 정확도는 평균 "
             f"{100 * np.mean(np.abs(diffs)):.2f}%p 차이 난다 (가장 큰 차이: "
             f"{worst_row.experiment}/{worst_row.label}, tinynet − PyTorch = {points(worst).ko})."),
        Text(f"{within} of {len(pairs)} differences are comparable (within two standard errors "
             "of zero), i.e. indistinguishable from seed-to-seed noise.",
             f"차이 {len(pairs)}개 중 {within}개는 표준오차 2배 이내로, 시드 사이의 잡음과 구별되지 "
             "않는다."),
    ]


def experiment_findings(experiment, results):
    """The experiment script's findings, or one line saying what they lack."""
    if experiment.findings is None:
        return []
    try:
        return list(experiment.findings(results))
    except MissingResults as missing:
        return [Text(f"(No findings: they need results that are not there -- {missing}.)",
                     f"(결과가 없어 발견 사항을 쓸 수 없다: {missing}.)")]
