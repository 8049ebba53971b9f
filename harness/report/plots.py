"""The report's figures: learning curves and accuracy vs cost, as PNGs beside report.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from harness.report.cost import pareto_front  # noqa: E402
from harness.report.fmt import row_label  # noqa: E402
from harness.report.score import ACCURACY, Score

__all__ = ["plot_cost_scatter", "plot_learning_curves"]

_DPI = 120
_LINESTYLES = ["-", "--", ":", "-."]


def _style(summary: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """One colour per strategy and one line style per extra-axis group, stable across figures."""
    cmap = plt.get_cmap("tab10")
    strategies = sorted(set(summary["strategy"]))
    groups = sorted(set(summary["group"]))
    return {
        (g, s): {"color": cmap(i % 10), "linestyle": _LINESTYLES[j % len(_LINESTYLES)]}
        for i, s in enumerate(strategies)
        for j, g in enumerate(groups)
    }


def _save(fig: plt.Figure, path: Path) -> Path:
    """Write without volatile metadata so reruns give the same bytes."""
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def plot_learning_curves(summary: pd.DataFrame, path: Path, score: Score = ACCURACY) -> Path:
    """Test accuracy vs train size (log x); band = 95 % t interval of the mean over runs."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ok = summary[summary["state"] == "ok"]
    style = _style(summary)
    for (group, strategy), block in ok.groupby(["group", "strategy"], sort=True):
        block = block.sort_values("train_size")
        kw = style[(str(group), str(strategy))]
        x = block["train_size"].to_numpy(dtype=float)
        ax.plot(
            x, 100 * block["mean"], marker="o", label=row_label(str(group), str(strategy)), **kw
        )
        low = block["ci_low"] if "ci_low" in block else block["min"]
        high = block["ci_high"] if "ci_high" in block else block["max"]
        ax.fill_between(x, 100 * low, 100 * high, color=kw["color"], alpha=0.2)
    if ok.empty:
        ax.text(0.5, 0.5, "no finished confirmation runs", ha="center", transform=ax.transAxes)
    else:
        ax.legend(title="strategy", fontsize=8)
    ax.set_xscale("log")
    sizes = sorted(int(s) for s in summary["train_size"].unique())
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("train size (examples, log scale)")
    ax.set_ylabel(f"test {score.label} (%)")
    ax.set_title("Learning curves (mean; band = 95 % CI over confirmation runs)")
    ax.grid(True, alpha=0.3)
    return _save(fig, path)


def _scatter(ax: Axes, summary: pd.DataFrame, cost: str, xlabel: str, ylabel: str) -> None:
    """One panel: every finished cell, labelled by size, with the Pareto front drawn."""
    ok = summary[summary["state"] == "ok"].dropna(subset=[cost])
    style = _style(summary)
    for (group, strategy), block in ok.groupby(["group", "strategy"], sort=True):
        color = style[(str(group), str(strategy))]["color"]
        ax.scatter(
            block[cost],
            100 * block["mean"],
            color=color,
            label=row_label(str(group), str(strategy)),
            zorder=3,
        )
        for _, r in block.iterrows():
            ax.annotate(
                f"n={int(r['train_size'])}",
                (r[cost], 100 * r["mean"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    front = pareto_front(summary, cost)
    if not front.empty:
        ax.step(
            front[cost],
            100 * front["mean"],
            where="post",
            color="black",
            linestyle="--",
            linewidth=1,
            label="Pareto front",
            zorder=2,
        )
    if not ok.empty and (ok[cost] > 0).all():
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)


def plot_cost_scatter(summary: pd.DataFrame, path: Path, score: Score = ACCURACY) -> Path:
    """Accuracy vs train time and vs trainable params: what each point of accuracy costs."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    ylabel = f"test {score.label} (%)"
    _scatter(axes[0], summary, "train_time_s", "train time per trial (s, log scale)", ylabel)
    _scatter(axes[1], summary, "trainable_params", "trainable parameters (log scale)", ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        axes[1].legend(handles, labels, fontsize=8, loc="best")
    fig.suptitle(f"Test {score.label} vs cost (confirmation mean per cell)")
    return _save(fig, path)
