"""Data augmentation: the lecture's fixed rotations, and the other
transforms its slides list (shift, crop, flip), plus random rotation.

* rotations: every image rotated by -15, -30, +15, +30 degrees and appended
  to the originals: 1,500 fixed images (the lecture reports 0.8074);
* shift / crop / flip / random rotation: a new random transform of each of
  the 300 images at every epoch.
Flipping a digit left-right changes what it shows, so flip is expected to
hurt: a label-preserving transform is the whole point of augmentation.

    python -m experiments.augmentation --help
"""
from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import learning_curves
from .report_text import acc, judged, versus_baseline

LABELS_KO = {
    "rotations": "고정 회전 ±15°, ±30° (강의, 이미지 1,500장)",
    "random_rotation": "±30° 안의 무작위 회전",
    "shift": "최대 2픽셀 무작위 이동",
    "crop": "무작위 자르기, 여백 2픽셀",
    "flip": "무작위 좌우 뒤집기 (숫자가 바뀐다!)",
}
KOREAN = Text("데이터 증강",
              "(변환된) 학습 이미지를 늘리면 과적합이 줄어드는가? 변환이 레이블을 보존하는지가 "
              "중요한가?")


def findings(r):
    base = r.baseline("augmentation")
    configs = r.configs("augmentation")
    lines = []
    for c in configs:
        lines.append(versus_baseline(c, base))
    if len(configs) > 1:
        best = max(configs, key=lambda c: c.test_acc.mean)
        worst = min(configs, key=lambda c: c.test_acc.mean)
        lines.append(Text(
            f"Highest mean: {best.label} ({acc(best.test_acc)}); lowest: {worst.label} "
            f"({acc(worst.test_acc)}); their difference is "
            f"{judged(best.test_acc - worst.test_acc).en}.",
            f"평균이 가장 높은 구성: {best.label_ko} ({acc(best.test_acc)}); 가장 낮은 구성: "
            f"{worst.label_ko} ({acc(worst.test_acc)}); 차이는 "
            f"{judged(best.test_acc - worst.test_acc).ko}."))
    return lines


EXPERIMENT = Experiment(
    name="augmentation",
    title="Data augmentation",
    question="Do more (transformed) training images reduce overfitting, and does it matter "
             "whether the transform keeps the label?",
    configs=(
        RunConfig("rotations", "fixed rotations ±15°, ±30° (lecture, 1,500 images)",
                  augmentation="rotations", lecture_reported=0.8074),
        RunConfig("random_rotation", "random rotation within ±30°", augmentation="random_rotation"),
        RunConfig("shift", "random shift up to 2 px", augmentation="shift"),
        RunConfig("crop", "random crop, padding 2 px", augmentation="crop"),
        RunConfig("flip", "random horizontal flip (changes digits!)", augmentation="flip"),
    ),
    findings=findings,
    figures=(learning_curves,),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
