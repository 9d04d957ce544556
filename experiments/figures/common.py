"""What every figure shares: matplotlib without a display, saving through
storage (atomic), colours and font sizes for README width (~800 px), and
the mean curve over seeds."""
import io
from typing import NamedTuple

import numpy as np

from tinynet.text import Text
from ..storage import atomic_write_bytes

DPI = 100
WIDTH = 12                   # inches: 1200 px, shown at ~800 px in a README (fonts x 2/3)
FONT = {"font.size": 13, "axes.titlesize": 14, "axes.labelsize": 13, "legend.fontsize": 11,
        "xtick.labelsize": 12, "ytick.labelsize": 12, "figure.titlesize": 16}
TRAIN, TEST, VAL, GAP, REFERENCE = "tab:blue", "tab:orange", "tab:green", "tab:red", "0.45"
LAYER_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


class Figure(NamedTuple):
    """A figure written to ``<out>/<path>`` and what to see in it."""

    path: str                 # relative to the report folder, with "/" separators
    title: Text
    what_to_see: Text


def pyplot():
    import matplotlib
    matplotlib.use("Agg")     # files only, no display
    import matplotlib.pyplot as plt
    plt.rcParams.update(FONT)
    return plt


def save(fig, out, relative):
    """PNG bytes of ``fig`` -> ``<out>/<relative>``, written atomically."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    atomic_write_bytes(out / relative, buffer.getvalue())
    return relative


def reported_configs(summary):
    """The configurations of a summary that have test numbers (not the
    selection runs, which are measured on validation images only)."""
    return [c for c in summary["configs"].values()
            if c["settings"].get("test_evaluation") != "never"]


def series_colors(n):
    """``n`` distinct colours for lines of different configurations."""
    plt = pyplot()
    return [plt.get_cmap("tab10")(i % 10) for i in range(n)]


def finite_histories(config):
    """The histories of the seeds that did not diverge."""
    return [h for h in config["history"] if not h.get("diverged")]


def mean_curve(histories, x_key, y_key):
    """(x, mean, low, high) over seeds of one history series (low/high =
    min/max over seeds), or None. A seed that stopped early stops counting;
    an epoch is kept only if every seed still running there has a value
    (this drops the off-schedule test evaluation at a stopping epoch)."""
    histories = [h for h in histories if h.get(y_key)]
    xs = sorted({x for h in histories for x in h[x_key]})
    if not xs:
        return None
    index = {x: i for i, x in enumerate(xs)}
    grid = np.full((len(histories), len(xs)), np.nan)
    for row, h in enumerate(histories):
        for x, y in zip(h[x_key], h[y_key]):
            grid[row, index[x]] = y
    last = np.array([h["epoch"][-1] if h.get("epoch") else max(h[x_key]) for h in histories])
    running = (last[:, None] >= np.asarray(xs)[None, :]).sum(axis=0)
    keep = ((~np.isnan(grid)).sum(axis=0) == running) & (running > 0)
    if not keep.any():
        return None
    grid = grid[:, keep]
    with np.errstate(all="ignore"):
        return (np.asarray(xs)[keep], np.nanmean(grid, axis=0),
                np.nanmin(grid, axis=0), np.nanmax(grid, axis=0))


def divergence_note(config):
    """'3 of 10 seeds diverged (epoch 2-4)', or '' when none did."""
    diverged = config.get("diverged") or []
    if not diverged:
        return ""
    epochs = sorted(d["epoch"] for d in diverged)
    span = f"epoch {epochs[0]}" if epochs[0] == epochs[-1] else f"epochs {epochs[0]}-{epochs[-1]}"
    return f"{len(diverged)} of {len(config['seeds'])} seeds diverged ({span})"


def log_scale(ax):
    """A log y axis labelled with plain numbers (0.5, 1, 2), not powers of ten."""
    from matplotlib import ticker
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}" if str(v)[0] in "25" else ""))


def no_data(ax, message):
    """An empty panel that says why it is empty."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True,
            fontsize=13, color="tab:red")
    ax.set_xticks([])
    ax.set_yticks([])
