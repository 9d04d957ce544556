"""L1 and L2 sweeps: accuracy against λ, and histograms of the final
connection weights per λ -- L1's pull towards 0 (with the subgradient
step weights hover within lr·λ of 0; the proximal step makes them exactly
0) against L2's shrinkage (a narrower bell)."""
import numpy as np

from tinynet.text import Text
from .common import GAP, TEST, TRAIN, WIDTH, Figure, pyplot, save


def sweep_series(configs, param):
    """[(series name or None, configs along λ)]: the L1 sweep has one series
    per L1 mode (subgradient, proximal), each starting from λ = 0."""
    modes = list(dict.fromkeys(c["settings"].get(f"{param}_mode") for c in configs
                               if c["settings"][param] > 0))
    if len(modes) <= 1:
        return [(modes[0] if modes else None, configs)]
    return [(mode, [c for c in configs if c["settings"][param] == 0
                    or c["settings"].get(f"{param}_mode") == mode]) for mode in modes]


def _errorbars(ax, points, scale, offset, **style):
    """Mean over seeds, bars min..max, of [(x, stats)]."""
    if not points:
        return
    mean = np.array([scale * s["mean"] for _, s in points])
    low = np.array([scale * s["min"] for _, s in points])
    high = np.array([scale * s["max"] for _, s in points])
    spread = np.maximum(0, [mean - low, high - mean])     # rounding can make them -1e-17
    ax.errorbar([x + offset for x, _ in points], mean, yerr=spread, marker="o", capsize=4, **style)


def plot_sweep(summary, param, metric, out):
    """``<experiment>/sweep[_torch].png``: final train/test accuracy and
    weight statistics against λ (mean, bars = min..max over the seeds that
    did not diverge), one line style per series (L1: per mode); a λ whose
    seeds all diverged is marked. ``metric``: (axis label, scale, ((final
    key, legend), ...))."""
    metric_label, metric_scale, metric_keys = metric
    configs = list(summary["configs"].values())
    lambdas = sorted({c["settings"][param] for c in configs})
    where = {lam: i for i, lam in enumerate(lambdas)}
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 4.8))
    series = sweep_series(configs, param)
    styles = ("-", "--", ":")
    for k, (mode, members) in enumerate(series):
        named = f" ({mode})" if mode else ""
        offset = 0.08 * (k - (len(series) - 1) / 2)

        def draw(ax, key, scale=1, **style):
            points = [(where[c["settings"][param]], c["final"][key]) for c in members
                      if key in c["final"]]
            _errorbars(ax, points, scale, offset, ls=styles[k % len(styles)], **style)

        draw(left, "train_acc", color=TRAIN, label=f"train accuracy{named}")
        draw(left, "test_acc", color=TEST, label=f"test accuracy{named}")
        for (key, legend), color in zip(metric_keys, ("tab:green", "tab:purple")):
            draw(right, key, metric_scale, color=color, label=f"{legend}{named}")
    left.set_ylabel("accuracy after the last epoch")
    left.set_title("Train vs test: the gap is the overfitting")
    right.set_ylabel(metric_label, fontsize=11)
    right.set_title("Weights after training")
    for c in configs:
        if not c["final"]:
            i = where[c["settings"][param]]
            for ax in (left, right):
                ax.axvline(i, color=GAP, ls=":", lw=1)
            left.text(i, 0.5, "all seeds\ndiverged", color=GAP, ha="center", fontsize=10,
                      transform=left.get_xaxis_transform())
    for ax in (left, right):
        ax.set_xticks(range(len(lambdas)), [f"{lam:g}" for lam in lambdas])
        ax.set_xlabel(f"λ ({param.upper()} penalty strength)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=10)
    framework = "" if summary["framework"] == "tinynet" else " (PyTorch)"
    fig.suptitle(f"{summary['title']}{framework}: mean over seeds, bars = min-max")
    fig.tight_layout()
    suffix = "" if summary["framework"] == "tinynet" else f"_{summary['framework']}"
    path = save(fig, out, f"{summary['experiment']}/sweep{suffix}.png")
    modes = Text("; solid and dashed lines are the two ways of taking the L1 step",
                 "; 실선과 파선은 L1 스텝을 밟는 두 방법이다") if len(series) > 1 else Text("", "")
    return Figure(path, Text(f"Sweep over λ{framework}", f"λ에 따른 변화{framework}"), Text(
        "Left: final train and test accuracy per λ, the distance between them is the overfitting; "
        f"right: what the penalty does to the weights{modes.en}.",
        "왼쪽: λ마다 마지막 학습·테스트 정확도, 둘 사이의 거리가 과적합이다; 오른쪽: 정규화가 가중치에 "
        f"미치는 영향{modes.ko}."))


def _histogram_line(ax, hist, color, label):
    counts = np.asarray(hist["counts"], dtype=np.float64) / hist.get("seeds", 1)   # per seed
    edges = np.linspace(hist["low"], hist["high"], len(counts) + 1)
    shown = np.where(counts > 0, counts, np.nan)
    ax.stairs(np.nan_to_num(shown, nan=0.0), edges, color=color, lw=1.6, label=label,
              baseline=None)


def _zero_share(hist):
    """The share of exactly-zero weights a (summed) weight histogram counted, or None."""
    return None if hist.get("zeros") is None else hist["zeros"] / hist["count"]


def weight_columns(sweeps):
    """[(kind, mode, [(λ, lr, histogram)])] from [(kind, [(λ, lr, probes, mode)])]:
    one column per penalty and L1 mode, each starting from λ = 0."""
    columns = []
    for kind, rows in sweeps:
        rows = [(lam, lr, p["weight_histogram"], mode) for lam, lr, p, mode in rows
                if p.get("weight_histogram")]
        modes = list(dict.fromkeys(mode for lam, _, _, mode in rows if lam > 0)) or [None]
        for mode in modes:
            members = [(lam, lr, h) for lam, lr, h, m in rows if lam == 0 or m == mode]
            if members:
                columns.append((kind, mode if kind == "l1" else None, members))
    return columns


def _largest(members):
    """(λ, share of exact zeros) at the largest λ of a column, or None."""
    lam, _, hist = max(members, key=lambda row: row[0])
    share = _zero_share(hist)
    return None if share is None or lam == 0 else (lam, share)


def _caption(columns):
    """What to see, with the shares of exact zeros the runs produced."""
    en, ko = ["Counts are on a log scale; each legend gives the share of the weights that are "
              "exactly 0."], ["개수는 로그 눈금이다. 각 범례에 정확히 0인 가중치의 비율을 적었다."]
    for kind, mode, members in columns:
        largest = _largest(members)
        if largest is None:
            continue
        lam, share = f"{largest[0]:g}", f"{largest[1]:.1%}"
        if kind == "l1" and mode != "proximal":
            en.append(f"L1 with the subgradient step (the lecture's) moves every weight by lr·λ "
                      f"towards 0 at each step and past 0 when it is closer than that, so a weight "
                      f"the data does not need oscillates within lr·λ of 0 (the cliff at the dashed "
                      f"line) and lands on 0 only by chance: {share} exactly 0 at λ = {lam}.")
            ko.append(f"서브그레이디언트 스텝(강의의 방법)의 L1은 매 스텝 모든 가중치를 lr·λ만큼 0 쪽으로 "
                      f"옮기고, 0과의 거리가 그보다 가까우면 0을 지나쳐 버린다. 그래서 데이터에 필요 없는 "
                      f"가중치는 0에서 lr·λ 안쪽에서 오르내리고(점선의 절벽) 우연히만 0이 된다: λ = {lam}에서 "
                      f"정확히 0인 비율 {share}.")
        elif kind == "l1":
            en.append(f"The proximal step sets every weight that would cross 0 to exactly 0 "
                      f"(soft-thresholding): {share} exactly 0 at λ = {lam}.")
            ko.append(f"근접(proximal) 스텝은 0을 넘어갈 가중치를 정확히 0으로 만든다 (소프트 임계값): "
                      f"λ = {lam}에서 정확히 0인 비율 {share}.")
        else:
            en.append(f"L2 shrinks each weight in proportion to its size: the whole distribution "
                      f"moves towards smaller |w|, with no cliff; {share} exactly 0 at λ = {lam}.")
            ko.append(f"L2는 각 가중치를 크기에 비례해 줄인다: 분포 전체가 절벽 없이 더 작은 |w| 쪽으로 "
                      f"옮겨 간다. λ = {lam}에서 정확히 0인 비율 {share}.")
    return Text(" ".join(en), " ".join(ko))


def plot_weight_histograms(sweeps, out):
    """``l1_vs_l2_weights.png`` from [(kind, [(λ, lr, probes, L1 mode)])] of
    the L1 and/or L2 sweeps: one column per penalty and L1 mode; None
    without weight histograms."""
    columns = weight_columns(sweeps)
    if not columns:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(2, len(columns), figsize=(WIDTH, 8.5), squeeze=False)
    colors = plt.get_cmap("viridis")
    for col, (kind, mode, rows) in enumerate(columns):
        top, bottom = axes[0, col], axes[1, col]
        for i, (lam, lr, hist) in enumerate(rows):
            color = colors(i / max(1, len(rows) - 1) * 0.9)
            share = _zero_share(hist)
            label = f"λ = {lam:g}" + ("" if share is None else f": {share:.1%} = 0")
            _histogram_line(top, {**hist["linear"], "seeds": hist["seeds"]}, color, label)
            _histogram_line(bottom, {**hist["log10_abs"], "seeds": hist["seeds"]}, color, label)
            if kind == "l1" and lam > 0:       # one L1 step: lr * λ
                bottom.axvline(np.log10(lr * lam), color=color, ls="--", lw=1)
        name = kind.upper() + (f", {mode} step" if mode else "")
        top.set_title(f"{name}: final weights w", fontsize=13)
        top.set_xlabel("w (end bins: beyond ±0.5)")
        bottom.set_title(f"{name}: |w|", fontsize=13)
        bottom.set_xlabel("log10 |w|  (first bin: |w| ≤ 1e-7, 0 too)"
                          + ("\ndashed: lr·λ, one L1 step" if kind == "l1" else ""))
        for ax in (top, bottom):
            ax.set_yscale("log")
            ax.set_ylabel("weights per network (log)")
            ax.grid(alpha=0.3)
        top.legend(fontsize=9, loc="upper right")
    fig.suptitle("Final connection weights per λ (all 5 weight matrices, per seed on average)")
    fig.tight_layout()
    path = save(fig, out, "l1_vs_l2_weights.png")
    return Figure(path, Text("L1 vs L2: the final weights", "L1 대 L2: 학습 후 가중치"),
                  _caption(columns))
