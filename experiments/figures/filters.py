"""The CNN's first layer: its 30 kernels of 5x5, before and after training
(cnn experiment; Deep Learning from Scratch, figure 7-24)."""
import numpy as np

from tinynet.text import Text
from .common import WIDTH, Figure, pyplot, save

COLUMNS = 10


def plot_filters(filters, out):
    """``cnn/filters.png`` from a summary's probes["filters"] ({"seed",
    "initial", "learned"}: kernels as rows of kh*kw numbers); None without."""
    if not filters or not filters.get("learned"):
        return None
    plt = pyplot()
    states = (("at initialisation", filters["initial"]), ("after training", filters["learned"]))
    count = len(filters["learned"])
    rows = -(-count // COLUMNS)
    size = int(round(np.sqrt(len(filters["learned"][0]))))
    fig, axes = plt.subplots(2 * rows, COLUMNS, figsize=(WIDTH, 2.6 * rows + 1.2), squeeze=False)
    for block, (state, kernels) in enumerate(states):
        for i, ax in enumerate(axes[block * rows:(block + 1) * rows].ravel()):
            ax.set_xticks([])
            ax.set_yticks([])
            if i >= count:
                ax.set_visible(False)
                continue
            # each kernel scaled to its own range, as the book shows them: black = largest
            ax.imshow(np.reshape(kernels[i], (size, size)), cmap="gray_r", interpolation="nearest")
            if i == 0:
                ax.set_title(state, loc="left", fontsize=13)
    fig.suptitle(f"The {count} {size}x{size} kernels of Conv2d (seed {filters['seed']}), each "
                 "scaled to its own range: black = its largest weight")
    fig.tight_layout()
    path = save(fig, out, "cnn/filters.png")
    return Figure(path, Text("The first layer's filters", "첫 층의 필터"), Text(
        f"Each square is one {size}x{size} kernel, the same weights slid over every position of "
        "the image (weight sharing). At initialisation they are random noise; what training "
        "made of them is in the lower half: compare the two halves for stroke- and edge-like "
        "patterns (dark and light side by side), which respond to edges wherever they are.",
        f"사각형 하나가 {size}x{size} 커널 하나로, 같은 가중치를 이미지의 모든 위치에 밀면서 쓴다 (가중치 "
        "공유). 초기화 직후에는 무작위 잡음이고, 학습 뒤의 모습은 아래 절반에 있다: 두 절반을 비교해 "
        "획이나 가장자리 같은 무늬(어두운 곳과 밝은 곳이 나란히)가 생겼는지 보라. 그런 필터는 가장자리가 "
        "어디에 있든 반응한다."))
