"""A convolutional network on the same 300 images: does weight sharing overfit less?

Deep Learning from Scratch's SimpleConvNet (section 7.5),

    Conv2d(1, 30, 5) -> ReLU -> MaxPool2d(2) -> Flatten
    -> Linear(30*12*12, 100) -> ReLU -> Linear(100, 10),

against the lecture's MLP, on the same images with the same SGD (lr 0.1,
batch 10) and epochs. The convolution's 30 kernels of 5x5 are slid over
every position of an image: 780 parameters, each used at 576 positions
(weight sharing), where the MLP's first layer has one weight per pixel and
unit. The CNN sees each image as (1, 28, 28) (models.input_shape).

A pass over the 10,000 test images costs the CNN far more than the MLP
(30 feature maps of 24x24 per image go through ReLU and max pooling), so
to keep the lab short this experiment trains 24 epochs (the MLP too; in
the baseline's runs it has memorised its 300 images by about epoch 20)
and measures the test set after epochs 1, 12 and 24. On the full Fashion-MNIST (the report
states the time of an epoch from the stored runs):

    python -m experiments.cnn --dataset fashion-mnist --train-size 60000 --epochs 2 --seeds 1
    python -m experiments.cnn --help
"""
import numpy as np

from tinynet.text import Text

from .cli import run_script
from .config import Experiment, RunConfig
from .figures.catalogue import compared, filters, learning_curves
from .models import IMAGE, KERNEL, parameter_counts
from .report_text import acc, spread_points, verb, verdict
from .summary import MissingResults

EPOCHS, EVAL_EVERY = 24, 12
MEMORISED = 0.99         # train accuracy from which a network "memorises" its images
LABELS_KO = {"cnn": "CNN (SimpleConvNet)", "mlp": "MLP 784-100x4-10 (강의)"}
KOREAN = Text("합성곱 신경망(CNN)과 MLP",
              "같은 이미지 300장에서 가중치를 공유하는 합성곱 신경망은 MLP보다 과적합이 덜한가?")


def _sizes():
    """The two networks' parameter counts, from models.parameter_counts."""
    cnn = parameter_counts(RunConfig("c", "c", model="cnn"))
    mlp = parameter_counts(RunConfig("m", "m"))
    positions = (IMAGE[1] - KERNEL + 1) * (IMAGE[2] - KERNEL + 1)
    return Text(
        f"Sizes: the CNN has {sum(n for _, n in cnn):,} parameters, its convolution "
        f"{cnn[0][1]:,} of them, each used at {positions} positions of every image; the MLP has "
        f"{sum(n for _, n in mlp):,}, its first layer {mlp[0][1]:,}, each used once per image.",
        f"크기: CNN의 매개변수는 {sum(n for _, n in cnn):,}개이고 그중 합성곱 층의 {cnn[0][1]:,}개는 "
        f"이미지마다 {positions}개 위치에서 쓰인다; MLP의 매개변수는 {sum(n for _, n in mlp):,}개이고 "
        f"첫 층의 {mlp[0][1]:,}개는 이미지마다 한 번씩 쓰인다.")


def _comparison(cnn, mlp):
    change, gap = verb(cnn.test_acc - mlp.test_acc), cnn.gap - mlp.gap
    lines = [Text(
        f"CNN: train {acc(cnn.train_acc)}, test {acc(cnn.test_acc)}; MLP: train "
        f"{acc(mlp.train_acc)}, test {acc(mlp.test_acc)}. The CNN {change.en} compared with the MLP.",
        f"CNN: 학습 {acc(cnn.train_acc)}, 테스트 {acc(cnn.test_acc)}; MLP: 학습 "
        f"{acc(mlp.train_acc)}, 테스트 {acc(mlp.test_acc)}. CNN은 MLP에 비해 {change.ko}.")]
    gaps = Text(f"Train-test gap: CNN {spread_points(cnn.gap).en}, MLP {spread_points(mlp.gap).en}",
                f"학습-테스트 차이: CNN {spread_points(cnn.gap).ko}, MLP {spread_points(mlp.gap).ko}")
    unfit = [(name, c) for name, c in (("CNN", cnn), ("MLP", mlp)) if c.train_acc.mean < MEMORISED]
    if unfit:             # a network that has not fit its images cannot show how it overfits
        names = " and ".join(name for name, _ in unfit)
        lines.append(Text(
            f"{gaps.en}. The {names} {'have' if len(unfit) > 1 else 'has'} not memorised the "
            f"training images (train accuracy below {MEMORISED}): too few epochs to compare how "
            "much they overfit.",
            f"{gaps.ko}. 학습 이미지를 아직 외우지 못한 신경망: {', '.join(n for n, _ in unfit)} (학습 "
            f"정확도 {MEMORISED} 미만): 과적합의 정도를 비교하기에는 에폭이 너무 적다."))
        return lines
    answer = {"lower": Text("the CNN overfits less on these images",
                            "이 이미지들에서는 CNN이 과적합이 덜하다"),
              "higher": Text("the CNN overfits more on these images",
                             "이 이미지들에서는 CNN이 과적합이 더 심하다")}.get(
        gap.verdict, Text("no difference beyond seed noise", "시드 잡음을 넘는 차이는 없다"))
    lines.append(Text(
        f"{gaps.en} ({verdict(gap).en} for the CNN): {answer.en}. Both memorise their training "
        f"images (train accuracy at least {MEMORISED}), so each gap is about 1 - test accuracy: "
        "the smaller gap and the higher test accuracy are one result, not two.",
        f"{gaps.ko} (CNN이 {verdict(gap).ko}): {answer.ko}. 두 신경망 모두 학습 이미지를 외우므로 "
        f"(학습 정확도 {MEMORISED} 이상) 각 차이는 대략 1 - 테스트 정확도다: 더 작은 차이와 더 높은 "
        "테스트 정확도는 두 결과가 아니라 한 결과다."))
    return lines


def _filters(cnn):
    block = (cnn.data.get("probes") or {}).get("filters")
    if not block or not block.get("learned"):
        return []
    initial, learned = np.array(block["initial"]), np.array(block["learned"])
    moved = np.linalg.norm(learned - initial) / np.linalg.norm(initial)
    return [Text(f"Training moved the first layer's kernels by {moved:.0%} of their initial size "
                 f"(seed {block['seed']}: ||learned - initial|| / ||initial||).",
                 f"학습은 첫 층 커널을 처음 크기의 {moved:.0%}만큼 움직였다 (시드 {block['seed']}: "
                 "||학습 후 - 처음|| / ||처음||).")]


def _timing(configs):
    timed = [(c, c.seconds_per_epoch) for c in configs if c.seconds_per_epoch is not None]
    if not timed:
        return [Text("The stored runs hold no training times (made by older code).",
                     "저장된 실행에 학습 시간이 없다 (이전 코드로 만든 실행).")]
    s = timed[0][0].settings
    steps = s["train_size"] // s["batch_size"]
    one_seed = all(t.n == 1 for _, t in timed)        # no spread to state: the mean alone
    each = [(c, f"{t.mean:.3g} s" if one_seed else f"{t.mean:.3g} ± {t.std:.2g} s")
            for c, t in timed]
    over = Text("one seed", "시드 하나") if one_seed else \
        Text("mean ± std over seeds", "시드 평균 ± 표준편차")
    return [Text(
        f"Time per epoch of training ({s['train_size']:,} {s['dataset']} images, {steps:,} steps "
        f"of batch {s['batch_size']}; {over.en}, measured in these runs, one BLAS thread each): "
        + ", ".join(f"{c.label} {t}" for c, t in each) + ".",
        f"에폭 하나의 학습 시간 ({s['dataset']} 이미지 {s['train_size']:,}장, 한 배치에 "
        f"{s['batch_size']}장씩 {steps:,} 스텝; {over.ko}, 이 실행들에서 BLAS 스레드 하나로 잰 값): "
        + ", ".join(f"{c.label_ko} {t}" for c, t in each) + ".")]


def findings(r):
    configs = r.configs("cnn")
    lines = [_sizes()]
    try:
        cnn, mlp = r.get("cnn", "cnn"), r.get("cnn", "mlp")
    except MissingResults:
        cnn = mlp = None
    if cnn is not None:
        lines += _comparison(cnn, mlp)
    if any(c.name == "cnn" for c in configs):
        lines += _filters(r.get("cnn", "cnn"))
    return lines + _timing(configs)


EXPERIMENT = Experiment(
    name="cnn",
    title="A convolutional network (CNN) against the MLP",
    question="On the same 300 images, does a CNN, which shares its weights across the image, "
             "overfit less than the lecture's MLP?",
    configs=(
        RunConfig("cnn", "CNN (SimpleConvNet)", model="cnn", epochs=EPOCHS, eval_every=EVAL_EVERY),
        RunConfig("mlp", "MLP 784-100x4-10 (the lecture's)", epochs=EPOCHS, eval_every=EVAL_EVERY),
    ),
    findings=findings,
    figures=(learning_curves, compared, filters),
)

if __name__ == "__main__":
    run_script(EXPERIMENT)
