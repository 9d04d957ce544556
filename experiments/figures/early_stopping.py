"""Early stopping: every seed's validation accuracy, the epoch it stopped
at (x) and the best epoch whose weights were restored (o)."""
import numpy as np

from tinynet.text import Text
from .common import VAL, WIDTH, Figure, no_data, pyplot, save


def plot_early_stopping(summary, out):
    """``early_stopping/validation.png``; None when no seed recorded validation."""
    configs = [c for c in summary["configs"].values()
               if any(h.get("val_acc") for h in c["history"])]
    if not configs:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, len(configs), figsize=(WIDTH, 5.2), sharey=True, squeeze=False)
    for ax, config in zip(axes[0], configs):
        stops, bests = [], []
        for h in config["history"]:
            if not h.get("val_acc"):
                continue
            epochs, val = np.array(h["epoch"][:len(h["val_acc"])]), np.array(h["val_acc"])
            ax.plot(epochs, val, color=VAL, lw=1, alpha=0.55)
            if h.get("diverged"):
                continue
            best = int(np.argmax(val))            # the first best epoch, as the stopper keeps it
            if epochs[-1] < config["settings"]["epochs"]:      # stopped early, not at the end
                ax.plot(epochs[-1], val[-1], "x", color="tab:red", ms=9, mew=2)
            ax.plot(epochs[best], val[best], "o", color="k", ms=6)
            stops.append(epochs[-1])
            bests.append(epochs[best])
        if not stops:
            no_data(ax, "every seed diverged")
            continue
        ax.axvline(np.mean(bests), color="k", ls="--", lw=1)
        ax.axvline(np.mean(stops), color="tab:red", ls="--", lw=1)
        ax.plot([], [], "o", color="k", label=f"best epoch, restored (mean {np.mean(bests):.0f})")
        ax.plot([], [], "x", color="tab:red", mew=2,
                label=f"stopped (mean last epoch {np.mean(stops):.0f})")
        early = sum(s < config["settings"]["epochs"] for s in stops)
        ax.set_title(f"{config['label']}\n{early} of {len(stops)} seeds stopped early", fontsize=13)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=11)
    axes[0, 0].set_ylabel("validation accuracy")
    fig.suptitle("Early stopping: validation accuracy of every seed")
    fig.tight_layout()
    path = save(fig, out, "early_stopping/validation.png")
    return Figure(path, Text("Validation curves", "검증 곡선"), Text(
        "Each green line is one seed's validation accuracy: training stops (x) once it has not "
        "improved for `patience` epochs, and the weights of the best epoch (o) are restored; "
        "dashed lines mark the mean best and last epochs.",
        "초록 선 하나가 시드 하나의 검증 정확도다: `patience` 에폭 동안 나아지지 않으면 학습을 멈추고(x), "
        "가장 좋았던 에폭(o)의 가중치를 되돌린다. 점선은 최고 에폭과 마지막 에폭의 평균이다."))
