"""REPORT.md and REPORT.ko.md: the same report in English and Korean,
built from the results and figures in memory by one function, so both
languages always show the same numbers.

Only the experiments that ran are listed (one line names the others), the
command that produced the runs is quoted, and every finding was checked
against its own condition by the function that states it.
"""
import datetime
import importlib
import json

from . import findings as general
from tinynet.text import Text
from .summary import FRAMEWORK_NAMES, MissingResults

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


def korean(experiment):
    """(title, question) in Korean from the experiment script's ``KOREAN``;
    the English ones when the script has none."""
    try:
        module = importlib.import_module(f"{__package__}.{experiment.name}")
        return module.KOREAN
    except (ImportError, AttributeError):
        return Text(experiment.title, experiment.question)


def _seeds_cell(c, w):
    if not c.diverged:
        return str(c.seeds)
    if not c.usable:
        return w["all_diverged"].format(n=c.seeds)
    return w["some_diverged"].format(n=c.n, total=c.seeds, k=len(c.diverged))


def _stat_cell(config, key):
    try:
        return getattr(config, key).acc()
    except (MissingResults, AttributeError):
        return "—"


def _versus_cell(results, row, language):
    tiny = row.get("tinynet")
    if tiny is None or not tiny.usable or row.experiment == "baseline":
        return "—"
    try:
        base = results.baseline(row.experiment, settings=tiny.settings)
    except MissingResults:
        return "—"
    if base.name == tiny.name and base.experiment == tiny.experiment:
        return "—"
    diff = tiny.test_acc - base.test_acc
    return diff.short() if language == "en" else diff.short_ko()


def table(results, language):
    w = WORDS[language]
    lines = [w["table_head"], "|---|---|---|---|---|---|---|---|---|"]
    for row in results.rows():
        tiny, torch = row.get("tinynet"), row.get("torch")
        main = tiny or torch
        torch_cell = _stat_cell(torch, "test_acc") if torch else (
            w["other_settings"] if row.mismatch else "—")
        reported = f"{row.lecture_reported:.4f}" if row.lecture_reported else "—"
        lines.append(
            f"| {row.experiment} | {row.label if language == 'en' else row.label_ko} "
            f"| {_seeds_cell(main, w)} "
            f"| {_stat_cell(tiny, 'train_acc') if tiny else '—'} "
            f"| {_stat_cell(tiny, 'test_acc') if tiny else '—'} "
            f"| {_versus_cell(results, row, language)} "
            f"| {_stat_cell(tiny, 'lecture_eval_test_acc') if tiny else '—'} "
            f"| {torch_cell} | {reported} |")
    return lines


def _setup(results, experiment, w):
    for framework in FRAMEWORK_NAMES:
        if results.has(experiment.name, framework):
            configs = results.all_configs(experiment.name, framework)
            s = configs[0].settings

            def joined(key):
                return "/".join(str(v) for v in dict.fromkeys(c.settings.get(key) for c in configs))
            return w["setup"].format(dataset=s["dataset"], train=s["train_size"],
                                     epochs=joined("epochs"), lr=joined("lr"),
                                     batch=joined("batch_size"),
                                     seeds="/".join(sorted({str(c.seeds) for c in configs})),
                                     every=s["eval_every"])
    return ""


def _figure_lines(figure, language, shown, w):
    if figure.path in shown:
        return [w["see_above"].format(title=figure.title.pick(language), path=figure.path), ""]
    shown.add(figure.path)
    return [f"![{figure.title.pick(language)}]({figure.path})", "",
            f"*{figure.title.pick(language)}.* {figure.what_to_see.pick(language)}", ""]


def _bullets(texts, language):
    return [f"- {t.pick(language)}" for t in texts] + [""]


def report(language, experiments, results, figures, command, seeds, all_names, plots=True):
    """The text of REPORT.md (language "en") or REPORT.ko.md ("ko")."""
    w = WORDS[language]
    ran = [e for e in experiments if any(results.has(e.name, f) for f in FRAMEWORK_NAMES)]
    missing = [name for name in all_names if name not in {e.name for e in ran}]
    lines = [w["title"], "", w["other"], "",
             w["generated"].format(date=f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
                                   command=command, seeds=", ".join(map(str, seeds))), ""]
    if missing:
        lines += [w["not_run"].format(names=", ".join(missing), first=missing[0]), ""]
    diverged = general.divergence_findings(results)
    if diverged:
        lines += [w["diverged"], ""] + _bullets(diverged, language)
    lines += [w["how"], "", w["all"], ""] + table(results, language) + [""]
    shown = set()
    for figure in figures.get("overview", []):
        lines += _figure_lines(figure, language, shown, w)
    lines += [w["lecture"], ""] + _bullets(general.lecture_findings(results), language)
    lines += [w["frameworks"], ""]
    lines += _bullets(general.framework_findings(results, results.rows()), language)
    lines += [w["frameworks_note"], ""]
    for experiment in ran:
        title, question = (experiment.title, experiment.question) if language == "en" \
            else korean(experiment)
        lines += [f"## {title}", "", f"*{question}*", "", _setup(results, experiment, w), ""]
        for figure in figures.get(experiment.name, []):
            lines += _figure_lines(figure, language, shown, w)
        if plots and not figures.get(experiment.name):
            lines += [w["figure_failed"], ""]
        lines += _bullets(general.experiment_findings(experiment, results), language)
    distinct = {}              # the baseline and L1/L2 at λ = 0 are one run: counted once
    for (e, f) in results.summaries:
        for c in results.all_configs(e, f):
            key = (f, json.dumps(c.settings, sort_keys=True))
            distinct[key] = max(distinct.get(key, 0.0), c.data.get("compute_seconds", 0.0))
    seconds = sum(distinct.values())
    notes = [n.format(minutes=seconds / 60) for n in w["notes"]]
    lines += [w["method"], ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"
