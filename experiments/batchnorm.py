"""BatchNorm: the lecture's ONE shared BatchNorm1d, and four separate ones.

The lecture writes relu(bn(fc_k(x))) for k = 1..4 with a single
BatchNorm1d(100) object: the four layers share gamma and beta, and the
running mean/variance -- what eval mode normalises with -- are updated four
times per step with four different layers' statistics. It reports 0.7935,
measured in training mode, where each layer uses its own batch statistics.

    python -m experiments.batchnorm --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves, preactivations, gradient_norms
from .report_text import MEASURED, acc, judged, verb
from .summary import MissingResults

LABELS_KO = {"shared": "공유된 BatchNorm1d 하나 (강의)", "separate": "별도의 BatchNorm1d 네 개"}
KOREAN = Text("배치 정규화: 공유된 층 하나(강의) 대 별도의 층 넷",
              "배치 정규화는 과적합을 줄이는가? 그리고 BatchNorm1d 하나를 네 층이 함께 쓰면 어떻게 되는가?")


def findings(r):
    base = r.baseline("batchnorm")
    lines = []
    for name, en, ko in (("shared", "the lecture's one shared BatchNorm", "강의의 공유 배치 정규화"),
                         ("separate", "four separate BatchNorm layers", "별도의 배치 정규화 층 네 개")):
        try:
            c = r.get("batchnorm", name)
        except MissingResults:
            continue
        change = verb(c.test_acc - base.test_acc)
        lines.append(Text(
            f"Evaluated properly, {en} {change.en} compared with the baseline "
            f"({acc(c.test_acc)} vs {acc(base.test_acc)}); train accuracy {acc(c.train_acc)} "
            f"vs {acc(base.train_acc)}.",
            f"올바르게 평가하면 {ko}는 기준 모델에 비해 {change.ko} ({acc(c.test_acc)} 대 "
            f"{acc(base.test_acc)}); 학습 정확도는 {acc(c.train_acc)} 대 {acc(base.train_acc)}."))
        flaw = c.lecture_eval_test_acc - c.test_acc
        lines.append(Text(
            f"Evaluated the lecture's way (training mode: BatchNorm normalises with the test "
            f"batch's own statistics), the score of {en} is {acc(c.lecture_eval_test_acc)}: the "
            f"lecture's evaluation {verb(flaw, MEASURED).en}.",
            f"강의 방식(학습 모드: 배치 정규화가 테스트 배치 자체의 통계로 정규화)으로 평가하면 {ko}는 "
            f"{acc(c.lecture_eval_test_acc)}: 강의 방식의 평가는 {verb(flaw, MEASURED).ko}."))
        if name == "shared" and flaw.verdict == "higher":
            lines.append(Text(
                "Why: in eval mode the one shared layer normalises all four layers with a single "
                "running mean/variance -- a mixture of four layers' statistics that fits none of "
                "them; separate layers each keep their own.",
                "이유: 평가 모드에서 공유된 층 하나는 네 층 모두를 하나의 이동 평균/분산으로 "
                "정규화한다 -- 네 층의 통계를 섞은 것이라 어느 층에도 맞지 않는다. 별도의 층은 각자 "
                "자기 통계를 가진다."))
    try:
        d = r.get("batchnorm", "separate").test_acc - r.get("batchnorm", "shared").test_acc
        lines.append(Text(f"Separate minus shared test accuracy: {judged(d).en}.",
                          f"별도 층 - 공유 층의 테스트 정확도: {judged(d).ko}."))
    except MissingResults:
        pass
    if not lines:
        raise MissingResults("batchnorm: every seed of both configurations diverged")
    return lines


EXPERIMENT = Experiment(
    name="batchnorm",
    title="BatchNorm: one shared layer (lecture) vs four separate layers",
    question="Does BatchNorm reduce the overfitting, and what does sharing one BatchNorm1d "
             "between four layers do?",
    configs=(
        RunConfig("shared", "one shared BatchNorm1d (lecture)", batchnorm="shared",
                  lecture_reported=0.7935),
        RunConfig("separate", "four separate BatchNorm1d", batchnorm="separate"),
    ),
    findings=findings,
    figures=(learning_curves, preactivations, gradient_norms),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
