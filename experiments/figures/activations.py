"""What each hidden layer puts out right after initialisation (init
experiment): one row per configuration, one panel per layer, as Deep
Learning from Scratch's figures 6-10 to 6-14."""
import numpy as np

from tinynet.text import Text
from .common import WIDTH, Figure, pyplot, save


def _panel(ax, layer, low, high):
    counts = np.asarray(layer["counts"], dtype=np.float64)
    counts[0] -= layer["zeros"]                 # exact zeros are stated, not drawn: a ReLU's
    edges = np.linspace(low, high, len(counts) + 1)          # off units would dwarf the rest
    ax.stairs(counts / layer["count"], edges, fill=True, color="tab:blue", alpha=0.8)
    notes = [f"{share:.0%} {what}" for share, what in
             ((layer["zeros"] / layer["count"], "= 0"), (layer["above"] / layer["count"], "> 1"))
             if share >= 0.005]
    if notes:
        ax.text(0.97, 0.95, "\n".join(notes), transform=ax.transAxes, ha="right", va="top",
                fontsize=10, color="tab:red")
    ax.set_xlim(low, high)
    ax.grid(alpha=0.3)


def plot_activations(rows, out):
    """``init/activations.png`` from [(label, probes)]: the activation
    histograms at initialisation; None without any."""
    rows = [(label, p["activations"]) for label, p in rows if p.get("activations")]
    if not rows:
        return None
    plt = pyplot()
    layers = max(len(block["layers"]) for _, block in rows)
    fig, axes = plt.subplots(len(rows), layers, figsize=(WIDTH, 1.9 * len(rows) + 1.4),
                             sharex=True, sharey="row", squeeze=False)
    for r, (label, block) in enumerate(rows):
        for c in range(layers):
            ax = axes[r, c]
            if c >= len(block["layers"]):
                ax.set_visible(False)
                continue
            _panel(ax, block["layers"][c], block["low"], block["high"])
            if r == 0:
                ax.set_title(f"layer {c + 1}")
            if r == len(rows) - 1:
                ax.set_xlabel("activation")
        axes[r, 0].set_ylabel(label.replace(", ", "\n"), fontsize=11)
    first = rows[0][1]
    fig.suptitle(f"Activations of each hidden layer right after initialisation ({first['rows']} "
                 f"training images, {first['seeds']} seed(s)): share per bin")
    fig.tight_layout()
    path = save(fig, out, "init/activations.png")
    return Figure(path, Text("Activations at initialisation", "초기화 직후의 활성화 값"), Text(
        "Each panel is the distribution of one hidden layer's outputs for the same batch of "
        "images, before any training (the share of exact zeros and of values above 1 is "
        "written in red, not drawn). A distribution that piles up at one value -- every "
        "sigmoid near 0.5, every ReLU near 0 -- means the units all say the same thing and "
        "the gradients that flow back through them are tiny or alike; one that keeps its "
        "spread from layer 1 to layer 5 passes a usable signal forwards and backwards.",
        "각 칸은 학습 전, 같은 이미지 배치에 대한 은닉층 하나의 출력 분포다 (정확히 0인 값과 1보다 큰 "
        "값의 비율은 빨간 글씨로 적었고 그리지 않았다). 한 값에 몰린 분포 -- 모든 시그모이드가 0.5 근처, "
        "모든 ReLU가 0 근처 -- 는 뉴런들이 모두 비슷한 값을 내고 그 뉴런들을 거쳐 역전파되는 기울기가 아주 "
        "작거나 서로 비슷하다는 뜻이다. 1층에서 5층까지 퍼짐을 유지하는 분포는 앞으로도 뒤로도 쓸 만한 "
        "신호를 전한다."))
