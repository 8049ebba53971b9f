"""One figure of every confirmation run's training curve, one panel per cell.

A user judging a flag (still improving? never fit?) needs to see the curve it came from:
validation metric (left axis) and training loss (right axis, dashed) against optimizer steps.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from harness.report.fmt import cell_name  # noqa: E402
from harness.report.load import json_list  # noqa: E402
from harness.report.palette import figure_legend  # noqa: E402

__all__ = ["history_rows", "plot_training_curves"]

_DPI = 110
_MAX_PANELS = 36  # beyond this a figure is unreadable; the first cells in table order are shown


def history_rows(value: Any) -> list[dict[str, Any]]:
    """A record's `history` as a list of evaluation rows."""
    return [r for r in json_list(value) if isinstance(r, dict)]


def _metric_key(record: pd.Series) -> str:
    """`val_<selection_metric>`, accuracy unless the record names another."""
    name = record.get("selection_metric")
    text = str(name) if isinstance(name, str) and name not in ("", "nan", "None") else "accuracy"
    return text if text.startswith("val_") else f"val_{text}"


def _seed_colors(runs: pd.DataFrame) -> dict[tuple[object, object], Any]:
    """One colour per (training seed, data seed) of the confirmation runs, the same in every
    panel, so the legend names each run once."""
    keys = sorted(
        {(r.get("seed"), r.get("data_seed")) for _, r in runs.iterrows()}, key=lambda k: str(k)
    )
    return {k: plt.get_cmap("tab10")(i % 10) for i, k in enumerate(keys)}


def _run_label(seed: object, data_seed: object) -> str:
    def whole(v: object) -> str:
        return str(int(float(str(v)))) if str(v) not in ("None", "nan", "") else "—"

    return f"seed {whole(seed)}" + (f", data {whole(data_seed)}" if whole(data_seed) != "—" else "")


def _panel(ax: Any, runs: pd.DataFrame, colors: dict[tuple[object, object], Any]) -> Any:
    """Draw one cell's runs; the loss axis (right), or None when no run has a usable curve."""
    loss_ax, drawn = ax.twinx(), False
    for _, rec in runs.iterrows():
        rows, key = history_rows(rec.get("history")), _metric_key(rec)
        pts = [(r.get("step", r.get("epoch")), r.get(key), r.get("train_loss")) for r in rows]
        pts = [p for p in pts if p[0] is not None]
        if not pts:
            continue
        run = (rec.get("seed"), rec.get("data_seed"))
        color = colors[run]
        steps = [float(str(p[0])) for p in pts]
        vals = [100 * float(p[1]) if p[1] is not None else math.nan for p in pts]
        losses = [float(p[2]) if p[2] is not None else math.nan for p in pts]
        ax.plot(steps, vals, color=color, marker=".", linewidth=1, label=_run_label(*run))
        loss_ax.plot(steps, losses, color=color, linestyle="--", linewidth=0.8, alpha=0.6)
        drawn = True
    loss_ax.tick_params(labelsize=6)
    ax.tick_params(labelsize=6)
    return loss_ax if drawn else None


def _layout(cells: list[tuple[tuple[str, str, int], pd.DataFrame]]) -> tuple[int, int, list[int]]:
    """(rows, columns, panel index of each cell): a row per group (extra grid axes, e.g. the
    dataset) with its cells side by side; one group: a row per strategy, a column per size;
    either way wrapped to 4 columns when a row would hold one panel."""
    groups = sorted({g for (g, _, _), _ in cells})
    if len(groups) > 1:
        per = max(sum(1 for (g, _, _), _ in cells if g == group) for group in groups)
        seen: dict[str, int] = {}
        slots = []
        for (g, _, _), _ in cells:
            slots.append(groups.index(g) * per + seen.get(g, 0))
            seen[g] = seen.get(g, 0) + 1
        return len(groups), per, slots
    strategies = sorted({s for (_, s, _), _ in cells})
    sizes = sorted({n for (_, _, n), _ in cells})
    if len(sizes) > 1:
        return (
            len(strategies),
            len(sizes),
            [strategies.index(s) * len(sizes) + sizes.index(n) for (_, s, n), _ in cells],
        )
    cols = min(4, len(cells))
    return math.ceil(len(cells) / cols), cols, list(range(len(cells)))


def plot_training_curves(records: pd.DataFrame, path: Path) -> Path | None:
    """Val metric (solid, %) and train loss (dashed) vs step per confirmation run, one panel per
    cell; None if no history."""
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    if "history" not in done.columns or done.empty:
        return None
    cells = [
        ((str(g), str(s), int(n)), runs)
        for (g, s, n), runs in done.groupby(
            ["group", "grid_strategy", "grid_train_size"], sort=True
        )
    ][:_MAX_PANELS]
    rows, cols, slots = _layout(cells)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(2.9 * cols + 1.6, 2.2 * rows + 0.7),
        squeeze=False,
        layout="constrained",
    )
    flat, colors = list(axes.flat), _seed_colors(done)
    metric = _metric_key(done.iloc[0]).removeprefix("val_").replace("_", " ")
    any_drawn = False
    for slot, ((group, strategy, size), runs) in zip(slots, cells, strict=True):
        ax = flat[slot]
        loss_ax = _panel(ax, runs, colors)
        any_drawn |= loss_ax is not None
        title = cell_name(strategy, size)  # the extra axes on a line of their own
        ax.set_title(f"{title}\n{group}" if group else title, fontsize=8)
        ax.grid(True, alpha=0.3)
        if slot % cols == 0:
            ax.set_ylabel(f"val {metric} (%)", fontsize=7)
        if loss_ax is not None and (slot % cols == cols - 1 or slot + 1 not in slots):
            loss_ax.set_ylabel("train loss", fontsize=7)
        if slot + cols >= len(flat) or slot + cols not in slots:
            ax.set_xlabel("optimizer step", fontsize=7)
    for i, ax in enumerate(flat):
        if i not in slots:
            ax.axis("off")
    if not any_drawn:
        plt.close(fig)
        return None
    first = flat[slots[0]]  # what the line styles mean, as legend entries
    first.plot([], [], color="grey", label=f"val {metric} (solid, left axis)")
    first.plot([], [], color="grey", linestyle="--", label="train loss (dashed, right axis)")
    fig.suptitle("Confirmation runs: validation score and training loss vs step", fontsize=9)
    figure_legend(fig, "run (one colour each)")
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path
