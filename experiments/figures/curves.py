"""Learning curves: train and test accuracy on ONE axis, the gap between
them -- the overfitting -- shaded; one panel per configuration, all on the
same 0..1 scale, the baseline's test accuracy in grey for reference; a last
panel with every configuration's test loss."""
import math
import textwrap

import numpy as np

from tinynet.text import Text
from .common import (GAP, REFERENCE, TEST, TRAIN, VAL, WIDTH, Figure, divergence_note,
                     finite_histories, log_scale, mean_curve, no_data, pyplot, reported_configs,
                     save)

# configurations in the loss panel: colours that are not train blue / test orange
LOSS_COLORS = ("tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:green",
               "tab:red", "tab:gray", "k")


def _accuracy_panel(ax, config, reference, title_color="k"):
    histories = finite_histories(config)
    note = divergence_note(config)
    train = mean_curve(histories, "epoch", "train_acc")
    test = mean_curve(histories, "eval_epoch", "test_acc")
    if train is None or test is None:
        no_data(ax, note.replace(" (", "\n(") if note else "no finite results")
        ax.set_title(textwrap.fill(config["label"], 34), fontsize=13, color=title_color)
        return
    if reference is not None:
        ref = mean_curve(finite_histories(reference), "eval_epoch", "test_acc")
        if ref is not None:
            ax.plot(ref[0], ref[1], color=REFERENCE, ls="--", lw=1.5, label="baseline (test)")
    ax.fill_between(train[0], train[2], train[3], color=TRAIN, alpha=0.15, lw=0)
    ax.plot(train[0], train[1], color=TRAIN, lw=2, label="train")
    ax.fill_between(test[0], test[2], test[3], color=TEST, alpha=0.15, lw=0)
    ax.plot(test[0], test[1], color=TEST, lw=2, marker=".", label="test")
    train_at_test = np.interp(test[0], train[0], train[1])
    ax.fill_between(test[0], test[1], train_at_test, where=train_at_test >= test[1],
                    color=GAP, alpha=0.12, lw=0, label="gap (overfitting)")
    val = mean_curve(histories, "epoch", "val_acc")
    if val is not None:
        ax.plot(val[0], val[1], color=VAL, lw=1.5, ls=":", label="validation")
    reported = config.get("lecture_reported_test_acc")
    if reported is not None:
        ax.axhline(reported, color="k", ls=(0, (1, 2)), lw=1.2, label=f"lecture: {reported:.4f}")
    gap = train_at_test[-1] - test[1][-1]
    ax.set_title(f"{textwrap.fill(config['label'], 34)}\nfinal gap {100 * gap:.1f} points",
                 fontsize=13, color=title_color)
    if note:
        ax.text(0.98, 0.04, note, ha="right", va="bottom", transform=ax.transAxes, fontsize=11,
                color="tab:red", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def _loss_panel(ax, configs, reference, colors):
    drawn = False
    if reference is not None:
        ref = mean_curve(finite_histories(reference), "eval_epoch", "test_loss")
        if ref is not None:
            ax.plot(ref[0], ref[1], color=REFERENCE, ls="--", lw=1.5, label="baseline")
            drawn = True
    for i, config in enumerate(configs):
        curve = mean_curve(finite_histories(config), "eval_epoch", "test_loss")
        if curve is not None and np.all(curve[1] > 0):
            color = TEST if len(configs) == 1 else colors[i % len(colors)]
            ax.plot(curve[0], curve[1], color=color, lw=2, marker=".",
                    label=config["label"] if len(configs) > 1 else "test")
            drawn = True
        train = mean_curve(finite_histories(config), "epoch", "train_loss")
        if len(configs) == 1 and train is not None and np.all(train[1] > 0):
            ax.plot(train[0], train[1], color=TRAIN, lw=2, label="train (mean over batches)")
    if not drawn:
        no_data(ax, "no finite test loss")
        return
    log_scale(ax)
    ax.set_title("Cross-entropy loss (log scale)" if len(configs) == 1 else
                 "Test loss (log scale)\nline colour = panel title colour", fontsize=13)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3, which="both")
    if len(configs) == 1:                 # several: the panel titles' colours say which is which
        ax.legend(fontsize=11, loc="best")


def plot_learning_curves(summary, out, reference=None):
    """``<experiment>/learning_curves[_torch].png``; returns its Figure (None
    without a configuration measured on the test set)."""
    configs = reported_configs(summary)
    if not configs:                       # only selection runs so far: no test numbers to draw
        return None
    plt = pyplot()
    panels = len(configs) + 1
    cols = min(3, panels)
    rows = math.ceil(panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 4.3 * rows + 0.8), squeeze=False)
    axes = axes.ravel()
    several = len(configs) > 1
    for i, (ax, config) in enumerate(zip(axes, configs)):
        _accuracy_panel(ax, config, reference, LOSS_COLORS[i % len(LOSS_COLORS)] if several else "k")
        if ax.has_data():
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("accuracy")
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
    legend_ax = next((ax for ax in axes[:len(configs)] if ax.has_data()), None)
    handles, labels = legend_ax.get_legend_handles_labels() if legend_ax else ([], [])
    _loss_panel(axes[len(configs)], configs, reference, LOSS_COLORS)
    for ax in axes[panels:]:
        ax.set_visible(False)
    framework = "" if summary["framework"] == "tinynet" else " (PyTorch)"
    fig.suptitle(f"{summary['title']}{framework}\nmean over seeds, band = min-max over seeds")
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0.06 if handles else 0, 1, 1))
    suffix = "" if summary["framework"] == "tinynet" else f"_{summary['framework']}"
    path = save(fig, out, f"{summary['experiment']}/learning_curves{suffix}.png")
    title = Text(f"Learning curves{framework}", f"학습 곡선{framework}")
    if not any(ax.has_data() for ax in axes[:len(configs)]):
        return Figure(path, title, Text(
            "Every seed of every configuration diverged: each panel says at which epoch; "
            "there are no curves to show.",
            "모든 구성의 모든 시드가 발산했다: 각 칸에 발산한 에폭이 적혀 있고, 그릴 곡선이 없다."))
    return Figure(path, title, Text(
        "Train (blue) and test (orange) accuracy share one axis: the red shaded gap between them "
        "is the overfitting"
        + ("; the grey dashed line is the baseline's test accuracy" if reference else "")
        + "; the last panel shows the test loss.",
        "학습 정확도(파랑)와 테스트 정확도(주황)를 한 축에 그렸다: 둘 사이의 붉은 영역이 과적합이다"
        + ("; 회색 점선은 기준 모델의 테스트 정확도" if reference else "")
        + "; 마지막 칸은 테스트 손실이다."))
