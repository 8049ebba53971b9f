"""The block model's residuals per training size: the picture behind the variance check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from harness.stats import SizeAnalysis  # noqa: E402

__all__ = ["plot_residuals"]


def plot_residuals(analyses: dict[tuple[str, int], SizeAnalysis], path: Path) -> Path | None:
    """One panel per (group, size): residual vs fitted, one colour per strategy, shared y."""
    shown = {k: a for k, a in sorted(analyses.items()) if not a.residuals.empty}
    if not shown:
        return None
    strategies = sorted({s for a in shown.values() for s in a.residuals["strategy"]})
    colors = {s: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(strategies)}
    fig, axes = plt.subplots(
        1, len(shown), figsize=(3.4 * len(shown) + 1.6, 3.4), sharey=True, squeeze=False
    )
    for ax, ((group, size), a) in zip(axes[0], shown.items(), strict=True):
        for s, part in a.residuals.groupby("strategy"):
            ax.scatter(part["fitted"], part["residual"], s=14, color=colors[str(s)], label=str(s))
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(f"{group + ', ' if group else ''}n = {size}", fontsize=9)
        ax.set_xlabel("fitted (points)")
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("residual (points)")
    seen: dict[str, Any] = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    fig.legend(
        [seen[s] for s in strategies if s in seen],
        [s for s in strategies if s in seen],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        title="strategy",
        fontsize=8,
    )
    fig.suptitle("Block model residuals per training size", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path
