"""Baseline: the lecture's setup -- and its overfitting.

The first 300 MNIST training images, a 784-100-100-100-100-10 ReLU MLP,
cross-entropy, SGD (lr 0.1, batch 10, shuffled, drop_last), 100 epochs.
The lecture reports train accuracy 1.0 and test accuracy 0.7637.

    python -m experiments.baseline --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves
from .report_text import MEASURED, acc, spread_points, verb

LABELS_KO = {"lecture": "기준 모델 (강의)"}
KOREAN = Text("기준 모델: 강의의 과적합 MLP",
              "784-100-100-100-100-10 MLP를 MNIST 이미지 300장으로만 학습하면 학습 정확도와 테스트 "
              "정확도는 얼마나 벌어지는가?")
MEMORISED = 0.99      # train accuracy from which the network "memorises" its images


def findings(r):
    b = r.get("baseline", "lecture")
    images = b.settings["train_size"]
    perfect = int((b.train_acc.values == 1.0).sum())
    lines = []
    if b.train_acc.mean >= MEMORISED:
        lines.append(Text(
            f"Train accuracy {b.train_acc.mean:.4f} ({perfect} of {b.n} seeds at exactly 1.0), "
            f"test accuracy {acc(b.test_acc)}: a train-test gap of {spread_points(b.gap).en} -- the "
            f"network memorises its {images} images.",
            f"학습 정확도 {b.train_acc.mean:.4f} (시드 {b.n}개 중 {perfect}개가 정확히 1.0), 테스트 "
            f"정확도 {acc(b.test_acc)}: 학습-테스트 차이가 {spread_points(b.gap).ko}다 -- 신경망이 학습 "
            f"이미지 {images}장을 외워 버렸다 (과적합)."))
    else:
        lines.append(Text(
            f"Train accuracy is {acc(b.train_acc)}, below {MEMORISED}: the network has not "
            f"memorised its {images} images (too few epochs, or a learning rate that does not "
            f"fit); test accuracy {acc(b.test_acc)}, gap {spread_points(b.gap).en}.",
            f"학습 정확도가 {acc(b.train_acc)}로 {MEMORISED}보다 낮다: 신경망이 학습 이미지 "
            f"{images}장을 아직 외우지 못했다 (에폭이 너무 적거나 학습률이 맞지 않음). 테스트 정확도 "
            f"{acc(b.test_acc)}, 차이 {spread_points(b.gap).ko}."))
    epochs, test_loss = b.curve("test_loss", "eval_epoch")
    if len(epochs) >= 2:
        low = int(test_loss.argmin())
        if low < len(epochs) - 1:
            lines.append(Text(
                f"Test loss is lowest at epoch {epochs[low]} ({test_loss[low]:.2f}) and ends at "
                f"{test_loss[-1]:.2f} (epoch {epochs[-1]}): after that the network only grows more "
                "confident, right and wrong alike.",
                f"테스트 손실은 {epochs[low]}번째 에폭에서 가장 낮고({test_loss[low]:.2f}), 마지막 "
                f"{epochs[-1]}번째 에폭의 값은 {test_loss[-1]:.2f}이다: 그 뒤로 신경망은 맞든 틀리든 "
                "더 확신하게 될 뿐이다."))
        else:
            lines.append(Text(
                f"Test loss still falls at the last evaluated epoch ({epochs[-1]}, "
                f"{test_loss[-1]:.2f}): no rise yet, so the loss shows no overfitting in these "
                "epochs.",
                f"테스트 손실이 마지막으로 평가한 {epochs[-1]}번째 에폭({test_loss[-1]:.2f})까지도 "
                "줄고 있다: 아직 오르지 않았으니 이 에폭들에서는 손실에 과적합이 보이지 않는다."))
    flaw = verb(b.lecture_eval_test_acc - b.test_acc, MEASURED)
    lines.append(Text(
        f"The lecture's evaluation (raw 0..255 pixels, training mode) {flaw.en}: "
        f"{acc(b.lecture_eval_test_acc)}.",
        f"강의 방식의 평가(0..255 원본 픽셀, 학습 모드)는 {flaw.ko}: "
        f"{acc(b.lecture_eval_test_acc)}."))
    return lines


EXPERIMENT = Experiment(
    name="baseline",
    title="Baseline: the lecture's overfitting MLP",
    question="How far apart are train and test accuracy when a 784-100-100-100-100-10 MLP "
             "is trained on only 300 MNIST images?",
    configs=(RunConfig("lecture", "baseline (lecture)", lecture_reported=0.7637),),
    findings=findings,
    figures=(learning_curves,),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
