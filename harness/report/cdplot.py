"""Critical-difference diagrams (Demšar 2006, Fig. 1): average ranks on an axis, strategies that
no test tells apart joined by a bar, the Nemenyi CD drawn to scale above."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from harness.report.crossdataset import RankTest  # noqa: E402
from harness.report.fmt import p_is  # noqa: E402
from harness.report.ranks import nemenyi_cliques  # noqa: E402

__all__ = ["plot_critical_difference"]

_DPI = 120
_ROW = 0.35  # vertical space per strategy label (axes units)


def _title(t: RankTest) -> str:
    """Panel title: the size, N datasets and the Friedman / Iman–Davenport verdict."""
    head = (f"[{t.suite.rest}] " if t.suite.rest else "") + f"train_size={t.train_size}"
    f = t.test
    assert f is not None
    verdict = "ranks differ" if f.rejects else "ranks not distinguishable: one bar"
    return f"{head}: N={len(t.datasets)} datasets, Iman–Davenport {p_is(f.p_f)} ({verdict})"


def _panel(ax: Axes, t: RankTest) -> None:
    """One diagram: rank axis, CD bar, labelled strategies and the cliques."""
    f = t.test
    assert f is not None
    ranked = t.ranked()
    k = len(ranked)
    ax.plot([1, k], [0, 0], color="black", linewidth=1)
    for tick in range(1, k + 1):
        ax.plot([tick, tick], [0, 0.08], color="black", linewidth=1)
        ax.text(tick, 0.12, str(tick), ha="center", va="bottom", fontsize=8)
    ax.plot([1, 1 + f.cd], [0.55, 0.55], color="black", linewidth=2)
    ax.text(1 + f.cd / 2, 0.6, f"CD = {f.cd:.2f}", ha="center", va="bottom", fontsize=8)
    half = (k + 1) // 2
    for i, (name, rank) in enumerate(ranked):
        left = i < half
        y = -_ROW * ((i + 1) if left else (k - i)) - 0.3
        x_end = 0.8 if left else k + 0.2
        ax.plot([rank, rank, x_end], [0, y, y], color="tab:blue", linewidth=1)
        label = f"{name} ({rank:.2f})" if left else f"({rank:.2f}) {name}"
        ax.text(
            x_end + (-0.05 if left else 0.05),
            y,
            label,
            ha="right" if left else "left",
            va="center",
            fontsize=8,
        )
    spans = nemenyi_cliques([r for _, r in ranked], f.cd) if f.rejects else [(0, k - 1)]
    for j, (a, b) in enumerate(spans):
        y = -0.12 - 0.08 * j
        ax.plot([ranked[a][1] - 0.03, ranked[b][1] + 0.03], [y, y], color="black", linewidth=3)
    ax.set_xlim(-0.6, k + 1.6)
    ax.set_ylim(-_ROW * half - 0.55, 0.9)
    ax.set_title(_title(t), fontsize=9)
    ax.axis("off")


def plot_critical_difference(tests: list[RankTest], path: Path) -> Path | None:
    """One panel per size with a Friedman test; None when no size has one."""
    usable = [t for t in tests if t.test is not None]
    if not usable:
        return None
    heights = [1.0 + 0.3 * ((len(t.strategies) + 1) // 2) for t in usable]
    fig, axes = plt.subplots(
        len(usable),
        1,
        figsize=(7, sum(heights)),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, t in zip(axes[:, 0], usable, strict=True):
        _panel(ax, t)
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path
