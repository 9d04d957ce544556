"""Inside the network, with and without BatchNorm (batchnorm experiment):

* what each hidden layer's ReLU receives over training -- quantile bands
  of the pre-activations (5-95 % light, 25-75 % dark, median line);
* the gradient norm ||dL/dW|| of each weight matrix over training.

Both come from the runs' probes (experiments/probes.py), as medians over seeds.
"""
import numpy as np

from tinynet.text import Text
from .common import LAYER_COLORS, WIDTH, Figure, pyplot, save

# The rows of the figure: (experiment, configuration) whose probes are drawn.
MODELS = (("no BatchNorm (baseline)", "plain"),
          ("one shared BatchNorm1d (lecture)", "shared"),
          ("four separate BatchNorm1d", "separate"))


def plot_preactivations(models, out):
    """``batchnorm/preactivations.png`` from [(label, probes)]; None without data."""
    models = [(label, p["preactivations"]) for label, p in models if p.get("preactivations")]
    if not models:
        return None
    plt = pyplot()
    layers = len(models[0][1]["quantiles"][0])
    fig, axes = plt.subplots(len(models), layers, figsize=(WIDTH, 2.9 * len(models) + 1.3),
                             sharex=True, sharey=True, squeeze=False)
    for row, (label, data) in enumerate(models):
        epochs = np.array(data["epoch"])
        q = np.array(data["quantiles"])              # [epoch, layer, quantile 5/25/50/75/95]
        for layer in range(layers):
            ax = axes[row, layer]
            ax.fill_between(epochs, q[:, layer, 0], q[:, layer, 4], color="tab:blue", alpha=0.2,
                            lw=0, label="5-95 %")
            ax.fill_between(epochs, q[:, layer, 1], q[:, layer, 3], color="tab:blue", alpha=0.45,
                            lw=0, label="25-75 %")
            ax.plot(epochs, q[:, layer, 2], color="navy", lw=1.8, label="median")
            ax.axhline(0, color="k", lw=0.8)
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(f"hidden layer {layer + 1}")
            if row == len(models) - 1:
                ax.set_xlabel("epoch")
        axes[row, 0].set_ylabel(label.replace(" (", "\n("), fontsize=12)
    axes[0, 0].legend(loc="upper left", fontsize=10)
    fig.suptitle("What each ReLU receives (eval mode, 300 training images):\n"
                 "quantiles of the pre-activations over training, median over seeds")
    fig.tight_layout()
    path = save(fig, out, "batchnorm/preactivations.png")
    return Figure(path, Text("Pre-activation distributions", "활성화 함수 입력의 분포"), Text(
        "Each panel shows the spread of what one hidden layer's ReLU receives as training goes "
        "on (the lecture's internal covariate shift): compare how the bands of the network "
        "without BatchNorm change over training and from layer to layer with the BatchNorm "
        "rows, where each layer's input is normalised (5-95 % within about ±2 while gamma ≈ 1); "
        "in eval mode the lecture's shared layer normalises every layer with one mixed set of "
        "running statistics.",
        "각 칸은 은닉층 하나의 ReLU가 받는 값의 분포가 학습 동안 어떻게 변하는지 보여 준다 (층마다 "
        "입력 분포가 달라지는 현상이 강의의 내부 공변량 변화다): 배치 정규화가 없는 신경망의 띠가 학습 "
        "동안, 그리고 층마다 어떻게 변하는지를, 각 층의 입력을 정규화하는 배치 정규화 줄(감마 ≈ 1이면 "
        "5-95 %가 약 ±2 안)과 비교하라. 평가 모드에서 강의의 공유 배치 정규화 층은 네 층을 섞은 하나의 "
        "이동 통계로 모든 층을 정규화한다."))


def plot_gradient_norms(models, out):
    """``batchnorm/gradient_norms.png`` from [(label, probes)]; None without data."""
    models = [(label, p["grad_norms"]) for label, p in models if p.get("grad_norms")]
    if not models:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, len(models), figsize=(WIDTH, 4.8), sharey=True, squeeze=False)
    for ax, (label, data) in zip(axes[0], models):
        norms = np.array(data["norms"])              # [epoch, weight matrix]
        for layer in range(norms.shape[1]):
            name = f"fc{layer + 1}" + (" (output)" if layer == norms.shape[1] - 1 else "")
            positive = norms[:, layer] > 0
            ax.plot(np.array(data["epoch"])[positive], norms[positive, layer], lw=2,
                    color=LAYER_COLORS[layer % len(LAYER_COLORS)], label=name)
        ax.set_yscale("log")
        ax.set_title(label.replace(" (", "\n("), fontsize=13)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].set_ylabel("||dL/dW|| (log scale)")
    axes[0, 0].legend(fontsize=10, loc="lower left")
    fig.suptitle("Gradient norm of each weight matrix over training (median over seeds)")
    fig.tight_layout()
    path = save(fig, out, "batchnorm/gradient_norms.png")
    return Figure(path, Text("Gradient norms per layer", "층별 기울기 크기"),
                  _gradient_caption(models))


def _gradient_caption(models):
    """What to see -- with the start-of-training comparison only when it holds."""
    text = Text(
        "One line per weight matrix, how strongly each layer is pushed: compare the models' "
        "gradients at the start, while the network fits the images, and once the training "
        "loss nears zero.",
        "가중치 행렬마다 선 하나, 각 층이 얼마나 세게 밀리는지를 보여 준다: 학습 초기, 신경망이 "
        "이미지를 맞춰 가는 동안, 학습 손실이 0에 가까워진 뒤의 기울기를 모델끼리 비교하라.")
    first = {label: float(np.mean(data["norms"][0])) for label, data in models if data["norms"]}
    plain = first.pop(MODELS[0][0], None)
    if plain and first and plain * 2 < min(first.values()):
        ratio = min(first.values()) / plain
        text = Text(text.en + f" In these runs the first sampled gradients without BatchNorm are "
                    f"{ratio:.0f}x smaller than with it: the tiny initial signal barely moves "
                    "the weights until it has grown.",
                    text.ko + f" 이 실행들에서 처음 측정한 기울기는 배치 정규화가 없을 때 있을 때보다 "
                    f"{ratio:.0f}배 작다: 처음의 작은 신호로는 가중치가 거의 움직이지 않는다.")
    return text
