"""Dropout(0.2) after each hidden ReLU.

The lecture trains its dropout model with batch 100 for 15 epochs -- only
45 SGD steps on 300 images -- and reports 0.7954, measured with dropout
still active. We run that, and dropout with the baseline's settings
(batch 10, 100 epochs), to separate the effect of dropout from that of the
changed training schedule.

    python -m experiments.dropout --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves
from .report_text import MEASURED, acc, spread_points, verb, verdict
from .summary import MissingResults

LABELS_KO = {"lecture": "드롭아웃(0.2), 배치 100, 15 에폭 (강의)",
             "baseline_hparams": "드롭아웃(0.2), 배치 10, 100 에폭"}
KOREAN = Text("드롭아웃(0.2)",
              "드롭아웃은 강의의 짧은 학습 일정과 기준 모델의 일정에서 학습 정확도와 테스트 정확도의 "
              "차이를 줄이는가?")
LEARNING = 0.5       # below this train accuracy a network "has not started learning"


def findings(r):
    lines = []
    try:
        lecture = r.get("dropout", "lecture")
    except MissingResults:
        lecture = None
    if lecture is not None:
        s = lecture.settings
        steps = s["epochs"] * (s["train_size"] // s["batch_size"])
        lines.append(Text(
            f"With the lecture's schedule (batch {s['batch_size']}, {s['epochs']} epochs = {steps} "
            f"SGD steps) dropout reaches train {acc(lecture.train_acc)} and test "
            f"{acc(lecture.test_acc)}.",
            f"강의의 일정(배치 {s['batch_size']}, {s['epochs']} 에폭 = SGD {steps} 스텝)으로 드롭아웃 "
            f"모델은 학습 {acc(lecture.train_acc)}, 테스트 {acc(lecture.test_acc)}에 이른다."))
        reported = lecture.lecture_reported
        if reported and all(stat.versus_single(reported).verdict == "higher"
                            for stat in (lecture.test_acc, lecture.lecture_eval_test_acc)):
            why = Text("", "")
            if lecture.train_acc.mean < LEARNING:
                why = Text(f": {steps} steps are too few for this network to start learning "
                           f"(train accuracy below {LEARNING})",
                           f": {steps} 스텝은 이 신경망이 학습을 시작하기에 너무 적다 (학습 정확도가 "
                           f"{LEARNING} 미만)")
            lines.append(Text(
                f"The lecture's reported {reported:.4f} lies more than two standard errors above "
                f"both of our evaluations with that schedule (best seed: {lecture.test_acc.max:.4f} "
                f"properly, {lecture.lecture_eval_test_acc.max:.4f} the lecture's way){why.en}.",
                f"강의가 보고한 값({reported:.4f})은 그 일정에서 우리의 두 평가보다 표준오차 2배 넘게 높다 "
                f"(가장 좋은 시드: 올바른 평가 {lecture.test_acc.max:.4f}, 강의 방식 "
                f"{lecture.lecture_eval_test_acc.max:.4f}){why.ko}."))
    try:
        long, base = r.get("dropout", "baseline_hparams"), r.baseline("dropout")
    except MissingResults:
        long = None
    if long is not None:
        change = verb(long.test_acc - base.test_acc)
        gap = long.gap - base.gap
        flaw = verb(long.lecture_eval_test_acc - long.test_acc, MEASURED)
        lines += [
            Text(f"With the baseline's schedule (batch {long.settings['batch_size']}, "
                 f"{long.settings['epochs']} epochs) dropout {change.en} compared with the baseline "
                 f"({acc(long.test_acc)} vs {acc(base.test_acc)}); the train-test gap is "
                 f"{spread_points(long.gap).en} vs {spread_points(base.gap).en} without dropout "
                 f"({verdict(gap).en}).",
                 f"기준 모델의 일정(배치 {long.settings['batch_size']}, {long.settings['epochs']} "
                 f"에폭)에서 드롭아웃은 기준 모델에 비해 {change.ko} ({acc(long.test_acc)} 대 "
                 f"{acc(base.test_acc)}); 학습-테스트 차이는 드롭아웃 없이 {spread_points(base.gap).ko}, "
                 f"드롭아웃과 함께 {spread_points(long.gap).ko}다 ({verdict(gap).ko})."),
            Text(f"The lecture's evaluation keeps dropout active at test time; for the baseline "
                 f"schedule it {flaw.en} ({acc(long.lecture_eval_test_acc)}).",
                 f"강의 방식의 평가는 테스트 때도 드롭아웃을 켜 둔다; 기준 모델 일정에서 그 평가는 "
                 f"{flaw.ko} ({acc(long.lecture_eval_test_acc)})."),
        ]
    if not lines:
        raise MissingResults("dropout: no configuration with finite results")
    return lines


EXPERIMENT = Experiment(
    name="dropout",
    title="Dropout(0.2)",
    question="Does dropout close the gap between train and test accuracy, with the lecture's "
             "short schedule and with the baseline's?",
    configs=(
        RunConfig("lecture", "Dropout(0.2), batch 100, 15 epochs (lecture)", dropout=0.2,
                  batch_size=100, epochs=15, lecture_reported=0.7954),
        RunConfig("baseline_hparams", "Dropout(0.2), batch 10, 100 epochs", dropout=0.2),
    ),
    findings=findings,
    figures=(learning_curves,),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
