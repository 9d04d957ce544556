"""Several configurations on one axis each: their training loss and their
accuracy (cnn: the CNN against the MLP; optimizers: the six optimizers;
init: the six initialisations)."""
import numpy as np

from tinynet.text import Text
from .common import (WIDTH, Figure, finite_histories, log_scale, mean_curve, no_data, pyplot,
                     reported_configs, save, series_colors)


def _loss(ax, configs, colors):
    drawn = False
    for config, color in zip(configs, colors):
        curve = mean_curve(finite_histories(config), "epoch", "train_loss")
        if curve is not None and np.all(curve[1] > 0):
            ax.plot(curve[0], curve[1], color=color, lw=2, label=config["label"])
            drawn = True
    if not drawn:
        no_data(ax, "no finite training loss")
        return
    log_scale(ax)
    ax.set_title("Training loss (mean over the epoch's batches, log scale)", fontsize=13)
    ax.set_ylabel("cross-entropy")


def _accuracy(ax, configs, colors, with_train):
    drawn = False
    for config, color in zip(configs, colors):
        test = mean_curve(finite_histories(config), "eval_epoch", "test_acc")
        if test is not None:
            ax.plot(test[0], test[1], color=color, lw=2, marker=".", label=config["label"])
            drawn = True
        train = mean_curve(finite_histories(config), "epoch", "train_acc")
        if with_train and train is not None:
            ax.plot(train[0], train[1], color=color, lw=1.5, ls="--")
    if not drawn:
        no_data(ax, "no test accuracy")
        return
    ax.set_ylim(0, 1.02)
    ax.set_title("Test accuracy (solid)" + (", train accuracy (dashed)" if with_train else ""),
                 fontsize=13)
    ax.set_ylabel("accuracy")


def plot_compared(summary, out):
    """``<experiment>/compared[_torch].png``: every reported configuration's
    mean training loss and accuracy over seeds, on one axis each; None
    without configurations."""
    configs = reported_configs(summary)
    if not configs:
        return None
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 5.6))
    colors = series_colors(len(configs))
    with_train = len(configs) <= 3                # more dashed lines would hide the test curves
    _loss(left, configs, colors)
    _accuracy(right, configs, colors, with_train)
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    handles, labels = right.get_legend_handles_labels()
    if not handles:
        handles, labels = left.get_legend_handles_labels()
    framework = "" if summary["framework"] == "tinynet" else " (PyTorch)"
    fig.suptitle(f"{summary['title']}{framework}: mean over seeds")
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), frameon=False)
    rows = (len(labels) + 2) // 3 if handles else 0
    fig.tight_layout(rect=(0, 0.05 * rows, 1, 1))
    suffix = "" if summary["framework"] == "tinynet" else f"_{summary['framework']}"
    path = save(fig, out, f"{summary['experiment']}/compared{suffix}.png")
    train = Text(" and train accuracy (dashed)", " 및 학습 정확도(점선)") if with_train \
        else Text("", "")
    return Figure(path, Text(f"Side by side{framework}", f"나란히 비교{framework}"), Text(
        f"One colour per configuration, mean over seeds: the training loss (left, log scale) "
        f"shows how fast each one fits its training images, the test accuracy (right, solid)"
        f"{train.en} what that fit is worth on the 10,000 test images.",
        f"구성마다 색 하나, 시드 평균: 학습 손실(왼쪽, 로그 눈금)은 각 구성이 학습 이미지를 얼마나 빨리 "
        f"맞추는지, 테스트 정확도(오른쪽, 실선){train.ko}는 그 결과가 테스트 이미지 10,000장에서 "
        f"얼마나 쓸모 있는지 보여 준다."))
