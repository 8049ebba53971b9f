"""What each strategy costs (parameters, time, memory, disk) and which cells are Pareto-optimal."""

from __future__ import annotations

import pandas as pd

from harness.report.fmt import (
    cell_name,
    fmt_count,
    fmt_float,
    fmt_num,
    fmt_pct,
    fmt_seconds,
    md_table,
    row_label,
)
from harness.report.score import ACCURACY, Score

__all__ = ["cost_section", "pareto_front"]


def pareto_front(summary: pd.DataFrame, cost: str) -> pd.DataFrame:
    """Finished cells no other cell beats on both cost (lower) and mean accuracy (higher)."""
    ok = summary[summary["state"] == "ok"].dropna(subset=[cost, "mean"])
    ok = ok.sort_values([cost, "mean", "strategy"], ascending=[True, False, True])
    keep, best = [], float("-inf")
    for idx, row in ok.iterrows():
        if row["mean"] > best:
            keep.append(idx)
            best = float(row["mean"])
    return ok.loc[keep]


def _per_strategy_table(records: pd.DataFrame) -> str:
    """Medians over completed trials: cost that does not depend much on train size."""
    done = records[records["status"] == "completed"]
    rows = []
    for (group, strategy), sub in done.groupby(["group", "grid_strategy"], sort=True):
        trainable = sub["trainable_params"].astype("float64").median()
        total = sub["total_params"].astype("float64").median()
        share = 100 * trainable / total if total and total == total else float("nan")
        rows.append(
            [
                row_label(str(group), str(strategy)),
                fmt_count(trainable),
                fmt_float(share, ".3g"),
                fmt_num(sub["train_samples_per_s"].median()),
                fmt_num(sub["peak_memory_mb"].median()),
                fmt_num(sub["checkpoint_mb"].median()),
                len(sub),
            ]
        )
    header = [
        "strategy",
        "trainable params",
        "% of total",
        "train samples/s",
        "peak memory (MB)",
        "checkpoint (MB)",
        "trials",
    ]
    return md_table(header, rows) if rows else "No completed trials."


def _time_table(records: pd.DataFrame, sizes: list[int]) -> str:
    """Mean train time per completed trial, strategy x train size."""
    done = records[records["status"] == "completed"]
    means = done.groupby(["group", "grid_strategy", "grid_train_size"])["train_time_s"].mean()
    rows = []
    for group, strategy in sorted({(g, s) for g, s, _ in means.index}):
        cells = [fmt_seconds(means.get((group, strategy, size))) for size in sizes]
        rows.append([row_label(str(group), str(strategy)), *cells])
    if not rows:
        return "No completed trials."
    return md_table(["strategy / train size", *(str(s) for s in sizes)], rows)


def _front_text(summary: pd.DataFrame, cost: str, fmt: str) -> str:
    """List the Pareto-optimal cells for one cost axis, cheapest first."""
    front = pareto_front(summary, cost)
    if front.empty:
        return "none (no finished cells record this cost)"
    items = []
    for _, r in front.iterrows():
        value = fmt_seconds(r[cost]) if fmt == "s" else fmt_count(r[cost])
        items.append(
            f"{cell_name(r['strategy'], r['train_size'], r['group'])} ({value}, {fmt_pct(r['mean'])})"
        )
    return ", ".join(items)


def cost_section(
    records: pd.DataFrame, summary: pd.DataFrame, figure: str, score: Score = ACCURACY
) -> str:
    """The cost side of the trade-off, as tables plus the accuracy-vs-cost scatter."""
    sizes = sorted(int(s) for s in summary["train_size"].unique())
    return "\n\n".join(
        [
            "## Cost",
            "Per strategy, medians over completed trials (search and confirmation):",
            _per_strategy_table(records),
            "Train time per trial (mean over completed trials, incl. per-epoch validation and the trial's share of its cell's frozen-prefix cache build):",
            _time_table(records, sizes),
            f"![Test {score.label} vs cost, Pareto front dashed]({figure})",
            f"Pareto-optimal cells over all sizes (cost and test {score.label} %: means of the confirmation runs):",
            f"- by train time per trial: {_front_text(summary, 'train_time_s', 's')}",
            f"- by trainable params: {_front_text(summary, 'trainable_params', 'n')}",
        ]
    )
