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


def _panel(ax: Any, runs: pd.DataFrame) -> bool:
    """Draw one cell's runs; False when none has a usable curve."""
    loss_ax, drawn = ax.twinx(), False
    for i, (_, rec) in enumerate(runs.iterrows()):
        rows, key = history_rows(rec.get("history")), _metric_key(rec)
        pts = [(r.get("step", r.get("epoch")), r.get(key), r.get("train_loss")) for r in rows]
        pts = [p for p in pts if p[0] is not None]
        if not pts:
            continue
        color = plt.get_cmap("tab10")(i % 10)
        steps = [float(str(p[0])) for p in pts]
        vals = [100 * float(p[1]) if p[1] is not None else math.nan for p in pts]
        losses = [float(p[2]) if p[2] is not None else math.nan for p in pts]
        ax.plot(steps, vals, color=color, marker=".", linewidth=1)
        loss_ax.plot(steps, losses, color=color, linestyle="--", linewidth=0.8, alpha=0.6)
        drawn = True
    loss_ax.tick_params(labelsize=6)
    ax.tick_params(labelsize=6)
    return drawn


def plot_training_curves(records: pd.DataFrame, path: Path) -> Path | None:
    """Val metric (solid, %) and train loss (dashed) vs step per confirmation run; None if no history."""
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    if "history" not in done.columns or done.empty:
        return None
    cells = list(done.groupby(["group", "grid_strategy", "grid_train_size"], sort=True))[
        :_MAX_PANELS
    ]
    cols = min(4, len(cells))
    rows = math.ceil(len(cells) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    any_drawn = False
    for ax, ((group, strategy, size), runs) in zip(axes.flat, cells, strict=False):
        any_drawn |= _panel(ax, runs)
        ax.set_title(cell_name(str(strategy), int(size), str(group)), fontsize=8)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(cells) :]:
        ax.axis("off")
    if not any_drawn:
        plt.close(fig)
        return None
    fig.suptitle(
        "Confirmation runs: val metric (%, solid, left) and train loss (dashed, right) vs step",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path
