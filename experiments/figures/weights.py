"""L1 and L2 sweeps: accuracy against λ, and histograms of the final
connection weights per λ -- L1's sparsity (a spike of exact zeros) against
L2's shrinkage (a narrower bell)."""
import numpy as np

from tinynet.text import Text
from .common import GAP, TEST, TRAIN, WIDTH, Figure, pyplot, save


def plot_sweep(summary, param, metric, out):
    """``<experiment>/sweep[_torch].png``: final train/test accuracy and a
    weight statistic against λ (mean, bars = min..max over the seeds that
    did not diverge); a configuration whose seeds all diverged is marked."""
    metric_key, metric_label, metric_scale = metric
    configs = list(summary["configs"].values())
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 4.8))
    x = np.arange(len(configs))

    def draw(ax, key, scale=1, **style):
        points = [(i, c["final"][key]) for i, c in zip(x, configs) if key in c["final"]]
        if not points:
            return
        xs = [i for i, _ in points]
        mean = np.array([scale * s["mean"] for _, s in points])
        low = np.array([scale * s["min"] for _, s in points])
        high = np.array([scale * s["max"] for _, s in points])
        spread = np.maximum(0, [mean - low, high - mean])     # rounding can make them -1e-17
        ax.errorbar(xs, mean, yerr=spread, marker="o", capsize=4, **style)

    draw(left, "train_acc", color=TRAIN, label="train accuracy")
    draw(left, "test_acc", color=TEST, label="test accuracy")
    left.set_ylabel("accuracy after the last epoch")
    left.set_title("Train vs test: the gap is the overfitting")
    draw(right, metric_key, metric_scale, color="tab:green")
    right.set_ylabel(metric_label, fontsize=11)
    right.set_title("Weights after training")
    for i, c in zip(x, configs):
        if not c["final"]:
            for ax in (left, right):
                ax.axvline(i, color=GAP, ls=":", lw=1)
            left.text(i, 0.5, "all seeds\ndiverged", color=GAP, ha="center", fontsize=10,
                      transform=left.get_xaxis_transform())
    for ax in (left, right):
        ax.set_xticks(x, [f"{c['settings'][param]:g}" for c in configs])
        ax.set_xlabel(f"λ ({param.upper()} penalty strength)")
        ax.grid(alpha=0.3)
    if left.get_legend_handles_labels()[0]:
        left.legend(loc="best")
    framework = "" if summary["framework"] == "tinynet" else " (PyTorch)"
    fig.suptitle(f"{summary['title']}{framework}: mean over seeds, bars = min-max")
    fig.tight_layout()
    suffix = "" if summary["framework"] == "tinynet" else f"_{summary['framework']}"
    path = save(fig, out, f"{summary['experiment']}/sweep{suffix}.png")
    return Figure(path, Text(f"Sweep over λ{framework}", f"λ에 따른 변화{framework}"), Text(
        "Left: final train and test accuracy per λ, the distance between them is the overfitting; "
        "right: what the penalty does to the weights.",
        "왼쪽: λ마다 마지막 학습·테스트 정확도, 둘 사이의 거리가 과적합이다; 오른쪽: 정규화가 가중치에 "
        "미치는 영향."))


def _histogram_line(ax, hist, color, label):
    counts = np.asarray(hist["counts"], dtype=np.float64) / hist.get("seeds", 1)   # per seed
    edges = np.linspace(hist["low"], hist["high"], len(counts) + 1)
    shown = np.where(counts > 0, counts, np.nan)
    ax.stairs(np.nan_to_num(shown, nan=0.0), edges, color=color, lw=1.6, label=label,
              baseline=None)


def plot_weight_histograms(sweeps, out):
    """``l1_vs_l2_weights.png`` from [(kind, [(λ, lr, probes)])] of the L1 and/or
    L2 sweeps; None without weight histograms."""
    sweeps = [(kind, [(lam, lr, p["weight_histogram"]) for lam, lr, p in rows
                      if p.get("weight_histogram")])
              for kind, rows in sweeps]
    sweeps = [(kind, rows) for kind, rows in sweeps if rows]
    if not sweeps:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(2, len(sweeps), figsize=(WIDTH, 8.5), squeeze=False)
    colors = plt.get_cmap("viridis")
    for col, (kind, rows) in enumerate(sweeps):
        top, bottom = axes[0, col], axes[1, col]
        for i, (lam, lr, hist) in enumerate(rows):
            color = colors(i / max(1, len(rows) - 1) * 0.9)
            _histogram_line(top, {**hist["linear"], "seeds": hist["seeds"]}, color, f"λ = {lam:g}")
            _histogram_line(bottom, {**hist["log10_abs"], "seeds": hist["seeds"]}, color,
                            f"λ = {lam:g}")
            if kind == "l1" and lam > 0:       # one L1 step: lr * λ * sign(w)
                bottom.axvline(np.log10(lr * lam), color=color, ls="--", lw=1)
        what = "sparsity: a spike at w = 0" if kind == "l1" else "shrinkage: a narrower bell"
        top.set_title(f"{kind.upper()}: final weights w ({what})")
        top.set_xlabel("w (end bins hold everything beyond ±0.5)")
        bottom.set_title(f"{kind.upper()}: size of the weights, |w|")
        bottom.set_xlabel("log10 |w|  (first bin: |w| ≤ 1e-7)"
                          + ("; dashed: lr·λ, one L1 step" if kind == "l1" else ""))
        for ax in (top, bottom):
            ax.set_yscale("log")
            ax.set_ylabel("weights per network (log)")
            ax.grid(alpha=0.3)
        top.legend(fontsize=10, loc="upper right")
    fig.suptitle("Final connection weights per λ (all 5 weight matrices, per seed on average)")
    fig.tight_layout()
    path = save(fig, out, "l1_vs_l2_weights.png")
    return Figure(path, Text("L1 vs L2: the final weights", "L1 대 L2: 학습 후 가중치"), Text(
        "Counts are on a log scale. L1 (left) moves every weight towards zero by the same lr·λ "
        "at each step: weights the data does not need are driven to zero and then held within "
        "one step of it -- the spike at w = 0 on top, the cliff at lr·λ (dashed) below: "
        "sparsity. L2 (right) shrinks each weight in proportion to its size: the whole "
        "distribution moves smoothly towards smaller |w|, with no cliff -- shrinkage.",
        "개수는 로그 눈금이다. L1(왼쪽)은 매 스텝 모든 가중치를 같은 크기 lr·λ만큼 0 쪽으로 옮긴다: "
        "데이터에 필요 없는 가중치는 0까지 밀려간 뒤 0에서 한 스텝 안에 머문다 -- 위의 w = 0 봉우리, "
        "아래의 lr·λ(점선) 절벽: 희소성. L2(오른쪽)는 각 가중치를 크기에 비례해 줄인다: 분포 전체가 "
        "절벽 없이 더 작은 |w| 쪽으로 부드럽게 옮겨 간다 -- 축소."))
