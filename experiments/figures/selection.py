"""How each optimizer's learning rate was chosen (optimizers experiment):
the validation accuracy of every rate of its grid, the chosen one marked."""
import numpy as np

from tinynet.text import Text
from .common import WIDTH, Figure, pyplot, save, series_colors


def plot_selection(outcomes, out, name):
    """``<name>/selection.png`` from [(label, [(rate, score)], chosen rate
    or None)]; None without scores."""
    outcomes = [o for o in outcomes if o[1]]
    if not outcomes:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH, 5.4))
    for (label, scored, best), color in zip(outcomes, series_colors(len(outcomes))):
        rates, scores = zip(*scored)
        ax.plot(rates, scores, marker="o", color=color, lw=2, label=label)
        if best is not None:
            ax.plot([best], [dict(scored)[best]], marker="*", ms=18, color=color, mec="k")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("validation accuracy, mean over seeds\n(a diverged seed counts 0)")
    ax.set_ylim(0, 1.02 * max(1e-3, np.max([s for _, sc, _ in outcomes for _, s in sc])))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=10, loc="lower left", ncol=2)
    ax.set_title("Choosing each optimizer's learning rate on the validation images (star: chosen)")
    fig.tight_layout()
    path = save(fig, out, f"{name}/selection.png")
    return Figure(path, Text("Learning rates chosen on validation data", "검증 데이터로 고른 학습률"),
                  Text("One line per optimizer: the validation accuracy after the last epoch at each "
                       "learning rate of its grid; the star is the rate the reported runs use. The "
                       "test images play no part in this choice.",
                       "옵티마이저마다 선 하나: 격자의 각 학습률에서 마지막 에폭 뒤의 검증 정확도다. 별표는 "
                       "보고한 실행이 쓰는 학습률이다. 이 선택에는 테스트 이미지가 전혀 쓰이지 않는다."))
