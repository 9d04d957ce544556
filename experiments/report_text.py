"""The report's words, in English and Korean.

* ``WORDS``: the fixed sentences and headings of REPORT.md / REPORT.ko.md;
* how a number, a difference of two means and its verdict (stats.Diff, THE
  comparison rule) are put into words -- each function returns a
  :class:`tinynet.text.Text` built from the same numbers, so both languages
  always state the same thing;
* Korean grammar the sentences need (the object particle 을/를).

Accuracies read "0.7637 ± 0.0123" (mean ± sample std over seeds); a
difference of accuracies reads in percentage points, "+2.9 ± 0.8 points"
/ "+2.9 ± 0.8%p" (difference ± its standard error).
"""
from tinynet.text import Text

TEST_ACCURACY = Text("test accuracy", "테스트 정확도")
MEASURED = Text("the measured test accuracy", "측정된 테스트 정확도")
VERDICTS = {"higher": Text("higher", "높음"), "lower": Text("lower", "낮음"),
            "comparable": Text("comparable", "비슷함"), "no spread": Text("no spread", "판단 불가")}


def object_particle(word):
    """Korean object particle for ``word``: 을 after a final consonant, else 를."""
    last = word.rstrip()[-1:]
    if "가" <= last <= "힣":
        return "을" if (ord(last) - ord("가")) % 28 else "를"
    return "를"


def acc(stat):
    """'0.7637 ± 0.0123': an accuracy's mean ± std over seeds (the same in both languages)."""
    return f"{stat.mean:.4f} ± {stat.std:.4f}"


def spread_points(stat):
    """'76.4 ± 1.2 points': a per-seed accuracy difference (such as the
    train-test gap) as mean ± std, in percentage points."""
    size = f"{100 * stat.mean:.1f} ± {100 * stat.std:.1f}"
    return Text(f"{size} points", f"{size}%p")


def points(diff):
    """'+2.9 ± 0.8 points': a difference of means ± its standard error."""
    size = f"{100 * diff.value:+.1f} ± {100 * diff.se:.1f}"
    return Text(f"{size} points", f"{size}%p")


def verdict(diff):
    """The verdict of THE rule in words: higher, lower, comparable, no spread."""
    return VERDICTS[diff.verdict]


def judged(diff):
    """'+2.9 ± 0.8 points (higher)': the difference and its verdict."""
    size, word = points(diff), verdict(diff)
    return Text(f"{size.en} ({word.en})", f"{size.ko} ({word.ko})")


def table_cell(diff):
    """'+2.9 ± 0.8 (higher)': the report table's vs-baseline cell."""
    size, word = f"{100 * diff.value:+.1f} ± {100 * diff.se:.1f}", verdict(diff)
    return Text(f"{size} ({word.en})", f"{size} ({word.ko})")


def verb(diff, what=TEST_ACCURACY):
    """A predicate: 'raised test accuracy by 2.9 ± 0.8 points' /
    '테스트 정확도를 2.9 ± 0.8%p 높였다', 'left ... unchanged within noise',
    or for a single seed 'changed ... by'."""
    size = f"{100 * abs(diff.value):.1f} ± {100 * diff.se:.1f}"
    obj = what.ko + object_particle(what.ko)
    if diff.verdict == "no spread":
        return Text(f"changed {what.en} by {100 * diff.value:+.1f} points (one seed: no spread "
                    "to judge by)",
                    f"{obj} {100 * diff.value:+.1f}%p 바꿨다 (시드 하나: 판단할 편차 없음)")
    if diff.verdict == "comparable":
        return Text(f"left {what.en} unchanged within noise ({points(diff).en})",
                    f"{obj} 잡음 범위 안에서 바꾸지 못했다 ({points(diff).ko})")
    if diff.verdict == "higher":
        return Text(f"raised {what.en} by {size} points", f"{obj} {size}%p 높였다")
    return Text(f"lowered {what.en} by {size} points", f"{obj} {size}%p 낮췄다")


def versus_baseline(config, base):
    """One finding line: a configuration's test (and train) accuracy, compared with the baseline's."""
    change = verb(config.test_acc - base.test_acc)
    return Text(
        f"{config.label}: test {acc(config.test_acc)} (train {acc(config.train_acc)}), which "
        f"{change.en} compared with the baseline.",
        f"{config.label_ko}: 테스트 {acc(config.test_acc)} (학습 {acc(config.train_acc)}), 기준 모델에 "
        f"비해 {change.ko}.")


WORDS = {
    "en": {
        "title": "# tinynet overfitting lab: results",
        "other": "[한국어 보고서](REPORT.ko.md)",
        "generated": "Generated {date} by `{command}`; every number below is computed from the "
                     "runs of that command (seeds {seeds}).",
        "not_run": "Not run by this command: {names} (add one with e.g. `python -m experiments "
                   "{first}`).",
        "diverged": "## Diverged runs",
        "how": "**How to read it.** Each configuration is trained once per seed; the table gives "
               "mean ± sample standard deviation over the seeds that did not diverge. *Test acc* "
               "is the proper evaluation: `model.eval()` (BatchNorm uses its running statistics, "
               "dropout is off) and test pixels scaled to [0, 1] like the training pixels. "
               "*Lecture's evaluation* repeats the lecture's flawed test: raw 0..255 pixels and "
               "the model left in training mode. *vs baseline* is the difference of mean test "
               "accuracy from the baseline in points, ± its standard error "
               "sqrt(se₁² + se₂²); the one rule used throughout: within two standard errors is "
               "*comparable* (seed noise), beyond is *higher* or *lower*.",
        "all": "## All experiments",
        "lecture": "## The lecture's numbers and ours",
        "frameworks": "## tinynet and PyTorch",
        "frameworks_note": "Both frameworks see the same batches in the same order and start from "
                           "the same initial weights; dropout/DropConnect masks come from each "
                           "framework's own generator.",
        "setup": "Setup: {dataset}, {train} training images, {epochs} epochs, lr {lr}, batch "
                 "{batch}, {seeds} seeds, test set evaluated every {every} epochs (and after "
                 "the last).",
        "figure_failed": "(figure not drawn: see the warning printed by the command)",
        "see_above": "See also [{title}]({path}) above.",
        "method": "## Method notes",
        "notes": [
            "Training loss per epoch is the mean cross-entropy over the epoch's mini-batches "
            "(the lecture prints one batch's loss).",
            "Train accuracy is measured on the original training images (without augmentation) "
            "in eval mode after every epoch; the final numbers are from the last epoch (early "
            "stopping: from the restored best epoch).",
            "A run diverges when its loss or weights stop being finite; it is stopped there, its "
            "history keeps only finite values, and it is left out of every statistic (the "
            "report says so).",
            "Compute time of this report's runs: {minutes:.1f} min (one core).",
        ],
        "table_head": "| Experiment | Configuration | Seeds | Train acc | Test acc | vs baseline "
                      "(points) | Lecture's evaluation | PyTorch test acc | Lecture reported |",
        "all_diverged": "all {n} diverged",
        "some_diverged": "{n} of {total} ({k} diverged)",
        "other_settings": "(other settings)",
    },
    "ko": {
        "title": "# tinynet 과적합 실습: 결과",
        "other": "[English report](REPORT.md)",
        "generated": "{date}에 `{command}` 명령으로 만들었다. 아래의 모든 숫자는 이 명령의 실행 결과"
                     "(시드 {seeds})에서 계산했다.",
        "not_run": "이 명령으로 실행하지 않은 실험: {names} (추가하려면 예를 들어 다음을 실행하라: "
                   "`python -m experiments {first}`).",
        "diverged": "## 발산한 실행",
        "how": "**읽는 법.** 각 구성은 시드마다 한 번씩 학습한다. 표의 값은 발산하지 않은 시드들의 "
               "평균 ± 표본 표준편차다. *테스트 정확도*는 올바른 평가다: `model.eval()` (배치 정규화는 "
               "이동 통계를 쓰고 드롭아웃은 꺼진다), 테스트 픽셀도 학습 픽셀처럼 [0, 1]로 바꾼다. "
               "*강의 방식의 평가*는 강의의 잘못된 평가를 그대로 따른다: 0..255 원본 픽셀, 학습 "
               "모드. *기준 모델 대비*는 기준 모델과의 평균 테스트 정확도 차이(%p) ± 표준오차 "
               "sqrt(se₁² + se₂²)다. 보고서 전체에서 쓰는 하나의 규칙: 표준오차 2배 이내면 *비슷함* "
               "(시드 잡음), 그 밖이면 *높음* 또는 *낮음*이다.",
        "all": "## 모든 실험",
        "lecture": "## 강의의 숫자와 우리의 숫자",
        "frameworks": "## tinynet과 PyTorch",
        "frameworks_note": "두 프레임워크는 같은 배치를 같은 순서로 보고 같은 초기 가중치에서 시작한다. "
                           "드롭아웃/드롭 커넥트 마스크만 각 프레임워크의 난수 생성기에서 나온다.",
        "setup": "설정: {dataset}, 학습 이미지 {train}장, {epochs} 에폭, 학습률 {lr}, 배치 {batch}, "
                 "시드 {seeds}개, 테스트 세트는 {every} 에폭마다 (그리고 마지막에) 평가.",
        "figure_failed": "(그림을 그리지 못했다: 명령이 출력한 경고를 보라)",
        "see_above": "위의 [{title}]({path})도 보라.",
        "method": "## 방법에 대한 메모",
        "notes": [
            "에폭별 학습 손실은 그 에폭 미니배치들의 교차 엔트로피 평균이다 (강의는 배치 하나의 손실을 "
            "출력한다).",
            "학습 정확도는 매 에폭 뒤 평가 모드에서 원본 학습 이미지(데이터 증강 없이)로 잰다. 최종 "
            "숫자는 마지막 에폭의 값이다 (조기 종료는 되돌린 최고 에폭의 값).",
            "손실이나 가중치가 유한하지 않게 되면 실행이 발산한 것이다: 그 자리에서 멈추고, 기록에는 "
            "유한한 값만 남기며, 모든 통계에서 뺀다 (보고서가 이를 밝힌다).",
            "이 보고서의 실행에 든 계산 시간: {minutes:.1f}분 (코어 하나 기준).",
        ],
        "table_head": "| 실험 | 구성 | 시드 | 학습 정확도 | 테스트 정확도 | 기준 모델 대비 (%p) "
                      "| 강의 방식의 평가 | PyTorch 테스트 정확도 | 강의 보고값 |",
        "all_diverged": "{n}개 모두 발산",
        "some_diverged": "{total}개 중 {n}개 ({k}개 발산)",
        "other_settings": "(다른 설정)",
    },
}
