"""How every figure of every report draws a series: one colour per strategy (the same in every
figure and report, so `lora` is always the same blue), a line style per other grid group, one
panel per dataset, and the legend outside the data. The one place figures take these from."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

from matplotlib.figure import Figure

from harness.report.sources import group_axes, join_group

__all__ = ["LINESTYLES", "figure_legend", "split_group", "strategy_color", "style_of"]

# strategies most reports compare first (full: near-black, the reference every verdict is against)
ORDER = (
    "full",
    "lora",
    "head_only",
    "top_k",
    "bitfit",
    "gradual_unfreeze",
    "llrd",
    "reinit_top",
    "ia3",
    "prompt_tuning",
    "adapter",
    "lp_ft",
    "dora",
    "loha",
    "lokr",
    "vera",
    "ln_tuning",
    "freeze_bottom",
    "peft",
)
# near-black, then tab10 without its grey, then Dark2 without its grey, then two dark ones: 19
# colours no two of which a reader confuses at a glance
COLOURS = (
    "#222222",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#393b79",
    "#637939",
)
LINESTYLES = ("-", "--", ":", "-.")


def strategy_color(strategy: str) -> str:
    """The strategy's colour in every figure; a strategy of the user's own gets a stable one."""
    if strategy in ORDER:
        return COLOURS[ORDER.index(strategy)]
    return COLOURS[zlib.crc32(strategy.encode()) % len(COLOURS)]


def split_group(group: str) -> tuple[str | None, str]:
    """A summary `group` (`dataset=sst5,loss=focal`) as (its dataset, the other axes)."""
    axes = group_axes(group)
    dataset = axes.pop("dataset", None)
    return dataset, join_group(axes)


def style_of(strategy: str, rest: str, rests: Iterable[str]) -> dict[str, Any]:
    """Colour by strategy, line style by the other grid axes' group among `rests`."""
    order = sorted(set(rests))
    style = LINESTYLES[order.index(rest) % len(LINESTYLES)] if rest in order else "-"
    return {"color": strategy_color(strategy), "linestyle": style}


def figure_legend(fig: Figure, title: str | None = None) -> None:
    """One legend for the whole figure, right of the panels (never over the data nor the
    title); each label once, in the order first drawn."""
    found: dict[str, Any] = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if not label.startswith("_"):
                found.setdefault(label, handle)
    if found:
        fig.legend(
            list(found.values()),
            list(found),
            loc="outside right center",
            title=title,
            fontsize=8,
            title_fontsize=8,
            frameon=False,
        )
