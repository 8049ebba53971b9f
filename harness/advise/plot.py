"""The learning curves behind the advice: per study unit, each strategy's cell means at the
studied sizes (with their runs' spread), the curve through them, and N marked with the
predicted scores and their intervals."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from harness.advise.advice import Advice, UnitAdvice

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_advice"]


def _panel(ax: Axes, unit: UnitAdvice, runs: pd.DataFrame, n: int) -> None:
    """Cell means +- sd joined in log n; N's predictions as diamonds; extrapolation dashed."""
    mine = runs[runs["unit"] == unit.unit]
    for s in unit.strategies:
        cells = mine[mine["strategy"] == s.strategy].groupby("train_size")["score"]
        means, sds = cells.mean().sort_index(), cells.std().sort_index()
        sizes = means.index.to_numpy(dtype=float)
        chosen = s.strategy == unit.choice.strategy
        drawn = ax.errorbar(
            sizes,
            means.to_numpy(),
            yerr=np.nan_to_num(sds.to_numpy()),
            marker="o",
            capsize=3,
            lw=2.2 if chosen else 1.2,
            label=s.strategy + (" (recommended)" if chosen else ""),
        )
        color = drawn[0].get_color()
        if not sizes[0] <= n <= sizes[-1]:  # the extrapolated stretch
            near = sizes[-1] if n > sizes[-1] else sizes[0]
            ax.plot([near, n], [float(means.loc[near]), s.score], ls="--", color=color)
        ax.errorbar(
            [n],
            [s.score],
            yerr=[[s.score - s.low], [s.high - s.score]],
            fmt="D",
            color=color,
            capsize=4,
            ms=5,
        )
    ax.axvline(n, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_title(unit.label, fontsize=10)


def plot_advice(advice: Advice, path: Path) -> Path:
    """One panel per unit (the suite: one per dataset); N is the dotted line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units = advice.units
    cols = min(3, len(units))
    rows = math.ceil(len(units) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    for ax, unit in zip(axes.flat, units, strict=False):
        _panel(ax, unit, advice.study.runs, advice.train_size)
        ax.set_xlabel("training examples (log scale)")
        ax.set_ylabel(f"test {advice.study.score_label} (points)")
    for ax in list(axes.flat)[len(units) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"{advice.study.name}: learning curves; N = {advice.train_size} (dotted), predictions "
        f"with {100 * advice.level:.0f} % intervals (diamonds)",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
