"""Every configuration's test accuracy at a glance: tinynet and PyTorch
(mean ± std over the seeds that did not diverge) beside the lecture's number."""
import numpy as np

from tinynet.text import Text
from ..summary import FRAMEWORK_NAMES
from .common import WIDTH, Figure, pyplot, save


def plot_overview(rows, out):
    """``overview.png`` from the table's rows; None when nothing has statistics."""
    rows = [r for r in rows if any(c.usable for c in r.values())]
    if not rows:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(rows) + 2.0))
    y = np.arange(len(rows))[::-1]
    styles = {"tinynet": ("tab:blue", -0.15), "torch": ("tab:orange", 0.15)}
    for framework, (color, offset) in styles.items():
        points = [(yy, r[framework].test_acc) for yy, r in zip(y, rows)
                  if r.get(framework) is not None and r[framework].usable]
        if points:
            ax.errorbar([s.mean for _, s in points], [yy + offset for yy, _ in points],
                        xerr=[s.std for _, s in points], fmt="o", capsize=3, color=color,
                        label=f"{FRAMEWORK_NAMES[framework]} (mean ± std)")
    reported = [(yy, r.lecture_reported) for yy, r in zip(y, rows) if r.lecture_reported]
    if reported:
        ax.plot([v for _, v in reported], [yy for yy, _ in reported], "kx", ms=9, mew=2,
                label="lecture's reported number")
    ax.set_yticks(y, [f"{r.experiment}: {r.label}" for r in rows], fontsize=11)
    ax.set_xlabel("test accuracy (10,000 test images, proper evaluation)")
    ax.set_title("Test accuracy of every configuration")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="best", fontsize=10)
    fig.tight_layout()
    path = save(fig, out, "overview.png")
    return Figure(path, Text("Test accuracy of every configuration", "모든 구성의 테스트 정확도"), Text(
        "One row per configuration: the dot is the mean test accuracy over seeds, the bar ± one "
        "standard deviation, the cross the lecture's single reported run.",
        "구성마다 한 줄: 점은 시드 평균 테스트 정확도, 막대는 ± 표준편차 하나, ×는 강의가 보고한 한 번의 "
        "실행 결과다."))
