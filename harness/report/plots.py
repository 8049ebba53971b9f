"""The report's figures: learning curves and accuracy vs cost, as PNGs beside report.md. With
several datasets, one panel per dataset (shared axes), a strategy in the same colour in each
(harness/report/palette.py), and the legend beside the panels, not over them."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from harness.report.cost import pareto_front  # noqa: E402
from harness.report.fmt import row_label  # noqa: E402
from harness.report.palette import figure_legend, split_group, style_of  # noqa: E402
from harness.report.score import ACCURACY, Score  # noqa: E402
from harness.report.sources import group_axes  # noqa: E402

__all__ = ["dataset_panels", "plot_cost_scatter", "plot_learning_curves"]

_DPI = 120


def _save(fig: plt.Figure, path: Path) -> Path:
    """Write without volatile metadata so reruns give the same bytes."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def dataset_panels(summary: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """(dataset, its rows) per dataset of the summary's groups; one (None, all) without a
    dataset axis. Each block gains `rest`: its group without the dataset."""
    frame = summary.copy()
    split = [split_group(str(g)) for g in frame["group"]]
    frame["dataset"] = [d for d, _ in split]
    frame["rest"] = [r for _, r in split]
    names = sorted({d for d in frame["dataset"] if d is not None})
    if not names:
        return [(None, frame)]
    return [(name, frame[frame["dataset"] == name]) for name in names]


def _grid(n: int, width: float, height: float, sharex: bool) -> tuple[plt.Figure, list[Axes]]:
    """n panels, up to 3 a row, with room on the right for the figure's legend."""
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width * cols + 2.2, height * rows),
        squeeze=False,
        layout="constrained",
        sharex=sharex,
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _bounds(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The 95 % interval of each cell's mean (the min..max of its runs where there is none)."""
    low = rows["ci_low"] if "ci_low" in rows else rows["min"]
    high = rows["ci_high"] if "ci_high" in rows else rows["max"]
    return low, high


def group_values(rest: str) -> list[str]:
    """`augmentation=eda,loss=focal` -> [eda, focal]."""
    return list(group_axes(rest).values())


def _dots(ax: Axes, ok: pd.DataFrame, rests: list[str]) -> None:
    """One train size: no curve to draw, so each strategy's mean and interval side by side."""
    pairs = sorted({(str(r), str(s)) for r, s in zip(ok["rest"], ok["strategy"], strict=True)})
    for x, (rest, strategy) in enumerate(pairs):
        row = ok[(ok["rest"] == rest) & (ok["strategy"] == strategy)]
        low, high = _bounds(row)
        mean = 100 * float(row["mean"].iloc[0])
        err = [[mean - 100 * float(low.iloc[0])], [100 * float(high.iloc[0]) - mean]]
        color = style_of(strategy, rest, rests)["color"]
        marker = "os^Dv"[rests.index(rest) % 5] if rest in rests else "o"
        ax.errorbar(
            [x],
            [mean],
            yerr=err,
            fmt=marker,
            color=color,
            capsize=4,
            label=row_label(rest, strategy),
        )
    # the tick: the strategy over its other axes' values, a line each; the legend has the keys
    ticks = ["\n".join([s, *group_values(r)]) for r, s in pairs]
    ax.set_xticks(range(len(pairs)), ticks, fontsize=7 if any(r for r, _ in pairs) else 9)
    ax.set_xlim(-0.6, len(pairs) - 0.4)


def _curves(ax: Axes, block: pd.DataFrame, rests: list[str]) -> None:
    """One panel of learning curves: mean per size, band = its 95 % interval."""
    ok = block[block["state"] == "ok"]
    if block["train_size"].nunique() == 1 and not ok.empty:
        _dots(ax, ok, rests)
        ax.grid(True, axis="y", alpha=0.3)
        return
    for (rest, strategy), rows in ok.groupby(["rest", "strategy"], sort=True):
        rows = rows.sort_values("train_size")
        kw = style_of(str(strategy), str(rest), rests)
        x = rows["train_size"].to_numpy(dtype=float)
        ax.plot(x, 100 * rows["mean"], marker="o", label=row_label(str(rest), str(strategy)), **kw)
        low, high = _bounds(rows)
        ax.fill_between(x, 100 * low, 100 * high, color=kw["color"], alpha=0.15)
    if ok.empty:
        ax.text(0.5, 0.5, "no finished confirmation runs", ha="center", transform=ax.transAxes)
    ax.set_xscale("log")
    sizes = sorted(int(s) for s in block["train_size"].unique())
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.grid(True, alpha=0.3)


def plot_learning_curves(summary: pd.DataFrame, path: Path, score: Score = ACCURACY) -> Path:
    """Test score vs train size (log x), one panel per dataset; band = 95 % t interval of the
    mean over confirmation runs."""
    panels = dataset_panels(summary)
    rests = sorted({str(r) for _, block in panels for r in block["rest"]})
    one_size = summary["train_size"].nunique() == 1  # a dot per strategy, not a curve
    pairs = max(len(block.groupby(["rest", "strategy"])) for _, block in panels)
    width = max(4.2, 0.9 * pairs) if one_size else 4.2
    fig, axes = _grid(len(panels), width, 3.2, sharex=True)
    for ax, (dataset, block) in zip(axes, panels, strict=True):
        _curves(ax, block, rests)
        if dataset is not None:
            ax.set_title(dataset, fontsize=10)
    sizes = sorted(int(s) for s in summary["train_size"].unique())
    fig.supylabel(f"test {score.label} (%)", fontsize=9)
    if len(sizes) == 1:  # one size: the strategies side by side
        fig.suptitle(
            f"Test {score.label} at n={sizes[0]} (mean; bar = 95 % CI over confirmation runs)",
            fontsize=10,
        )
    else:
        fig.supxlabel("train size (examples, log scale)", fontsize=9)
        fig.suptitle("Learning curves (mean; band = 95 % CI over confirmation runs)", fontsize=10)
    figure_legend(fig, "strategy")
    return _save(fig, path)


def _scatter(ax: Axes, block: pd.DataFrame, cost: str, rests: list[str]) -> None:
    """One panel: every finished cell of one dataset, labelled by size, with its Pareto front."""
    ok = block[block["state"] == "ok"].dropna(subset=[cost])
    for (rest, strategy), rows in ok.groupby(["rest", "strategy"], sort=True):
        color = style_of(str(strategy), str(rest), rests)["color"]
        marker = "os^Dv"[sorted(set(rests)).index(str(rest)) % 5] if rest in rests else "o"
        ax.scatter(
            rows[cost],
            100 * rows["mean"],
            color=color,
            marker=marker,
            zorder=3,
            label=row_label(str(rest), str(strategy)),
        )
        for _, r in rows.iterrows():
            ax.annotate(
                f"n={int(r['train_size'])}",
                (r[cost], 100 * r["mean"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    front = pareto_front(block, cost)
    if not front.empty:
        ax.step(
            front[cost],
            100 * front["mean"],
            where="post",
            color="grey",
            linestyle="--",
            linewidth=1,
            label="Pareto front (per panel)",
            zorder=2,
        )
    if not ok.empty and (ok[cost] > 0).all():
        ax.set_xscale("log")
    ax.margins(x=0.12, y=0.08)  # room for the n= labels of the outermost points
    ax.grid(True, which="both", alpha=0.3)


def plot_cost_scatter(summary: pd.DataFrame, path: Path, score: Score = ACCURACY) -> Path:
    """Test score vs train time and vs trainable params, a row per dataset: what each point of
    the score costs, with each dataset's own Pareto front."""
    panels = dataset_panels(summary)
    rests = sorted({str(r) for _, block in panels for r in block["rest"]})
    fig, axes = plt.subplots(
        len(panels),
        2,
        figsize=(11, 0.6 + 3.3 * len(panels)),
        squeeze=False,
        sharex="col",
        sharey="row",
        layout="constrained",
    )
    costs = (
        ("train_time_s", "train time per trial (s, log scale)"),
        ("trainable_params", "trainable parameters (log scale)"),
    )
    for row, (dataset, block) in zip(axes, panels, strict=True):
        for ax, (cost, _) in zip(row, costs, strict=True):
            _scatter(ax, block, cost, rests)
        ylabel = f"test {score.label} (%)"
        row[0].set_ylabel(f"{dataset}\n{ylabel}" if dataset else ylabel)
    for ax, (_, label) in zip(axes[-1], costs, strict=True):  # shared x: named once, below
        ax.set_xlabel(label, fontsize=8)
    fig.suptitle(f"Test {score.label} vs cost (confirmation mean per cell)", fontsize=10)
    figure_legend(fig, "strategy")
    return _save(fig, path)
