"""The search's figure: every trial on the (lr, regulariser) plane, both
axes logarithmic, coloured by its validation accuracy; the best trials
ringed, the chosen one starred, diverged trials crossed out."""
from tinynet.text import Text

from ..figures.common import WIDTH, Figure, pyplot, save
from .words import PARAM_NAMES

FILE = "search.png"


def plot_search(outcome, folder, best_shown):
    """``<folder>/search.png``; its Figure (path relative to ``folder``)."""
    regulariser = outcome.space.regulariser
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH * 0.75, WIDTH * 0.55))
    scored = [t for t in outcome.trials if outcome.scores[t.name] is not None]
    diverged = [t for t in outcome.trials if outcome.scores[t.name] is None]
    for number, marker in zip(range(1, len(outcome.rounds) + 1), "os^Dv<>p"):
        mine = [t for t in scored if t.round == number]
        if mine:
            points = ax.scatter([t.values["lr"] for t in mine],
                                [t.values[regulariser] for t in mine],
                                c=[outcome.scores[t.name] for t in mine], cmap="viridis",
                                vmin=min(outcome.scores[t.name] for t in scored),
                                vmax=max(outcome.scores[t.name] for t in scored),
                                marker=marker, s=70, edgecolors="k", linewidths=0.5,
                                label=f"round {number} trials")
    if scored:
        fig.colorbar(points, ax=ax, label="validation accuracy (mean over the trial's seeds)")
    if diverged:
        ax.scatter([t.values["lr"] for t in diverged], [t.values[regulariser] for t in diverged],
                   marker="x", color="0.5", s=60, label="diverged")
    for later in outcome.rounds[1:]:            # where each later round searched
        (lr_low, lr_high), (low, high) = (later["ranges"][k] for k in ("lr", regulariser))
        ax.add_patch(plt.Rectangle((lr_low, low), lr_high - lr_low, high - low, fill=False,
                                   linestyle="--", edgecolor="0.4",
                                   label=f"round {later['round']} ranges"))
    best = outcome.ranked[:best_shown]
    ax.scatter([t.values["lr"] for t in best], [t.values[regulariser] for t in best],
               facecolors="none", edgecolors="tab:red", s=260, linewidths=2,
               label=f"best {len(best)} trials")
    top = outcome.ranked[0]
    ax.scatter([top.values["lr"]], [top.values[regulariser]], marker="*", color="tab:red",
               s=320, edgecolors="k", label="chosen")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel(f"{PARAM_NAMES[regulariser].en} (log scale)")
    ax.set_title(f"Random search: validation accuracy over (lr, {PARAM_NAMES[regulariser].en})")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="best", fontsize=10)
    fig.tight_layout()
    path = save(fig, folder, FILE)
    name = PARAM_NAMES[regulariser]
    return Figure(path, Text(f"Validation accuracy over the (lr, {name.en}) plane",
                             f"(학습률, {name.ko}) 평면 위의 검증 정확도"), Text(
        f"One marker per trial (its shape: the round), coloured by its validation accuracy; "
        f"red rings mark the best {len(best)} trials, the star the chosen one, grey crosses "
        "trials that diverged, a dashed box the ranges of each later round. Both axes are "
        "logarithmic, as the values were drawn.",
        f"시행마다 표시 하나(모양은 라운드), 색은 검증 정확도다. 빨간 원은 가장 좋은 시행 {len(best)}개, "
        "별은 선택된 시행, 회색 ×는 발산한 시행, 점선 상자는 이후 라운드의 탐색 범위다. 값을 로그 균등 "
        "분포에서 뽑았으므로 두 축 모두 로그 눈금이다."))
