"""Budget curves ("Show Your Work", Dodge et al. 2019): expected best validation score vs trials.

From a cell's N search trials, the expected maximum of n draws (with replacement) from their
empirical distribution is Σ_i v_(i) [(i/N)^n − ((i−1)/N)^n] over the sorted scores. A user sees
whether a strategy wins only because it was searched more. Pruned trials count as draws at the
validation score they had when stopped (a lower bound on where they would have ended); failed
trials and trials without a validation score are left out.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from harness.report.fmt import fmt_pct, fmt_seconds, md_table, row_label  # noqa: E402
from harness.report.palette import figure_legend, split_group, style_of  # noqa: E402

__all__ = ["budget_section", "expected_max", "plot_budget_curves"]

_BUDGETS = (1, 2, 4, 8, 16, 32, 64)


def expected_max(values: np.ndarray, n: int) -> float:
    """Expected best of n trials drawn from the observed trials' scores."""
    v = np.sort(np.asarray(values, dtype=float))
    big_n = len(v)
    i = np.arange(1, big_n + 1)
    return float((v * ((i / big_n) ** n - ((i - 1) / big_n) ** n)).sum())


def _search_cells(records: pd.DataFrame) -> list[tuple[tuple[str, str, int], np.ndarray, float]]:
    """(cell, val scores of usable search trials, mean seconds per trial) per cell."""
    search = records[
        (records["phase"] == "search") & records["status"].isin(["completed", "pruned"])
    ]
    search = search.dropna(subset=["val_score"])
    out = []
    for (group, strategy, size), block in search.groupby(
        ["group", "grid_strategy", "grid_train_size"], sort=True
    ):
        seconds = (
            float(block["train_time_s"].mean())
            if block["train_time_s"].notna().any()
            else float("nan")
        )
        out.append(
            (
                (str(group), str(strategy), int(size)),
                block["val_score"].to_numpy(dtype=float),
                seconds,
            )
        )
    return out


def budget_section(records: pd.DataFrame, figure: str | None) -> str:
    """Expected best val score at equal numbers of trials, per strategy x size."""
    cells = _search_cells(records)
    most = max((len(v) for _, v, _ in cells), default=0)
    budgets = [b for b in _BUDGETS if b <= most]
    rows = []
    for (group, strategy, size), values, seconds in cells:
        rows.append(
            [
                row_label(group, strategy),
                size,
                len(values),
                fmt_seconds(seconds),
                *(fmt_pct(expected_max(values, b)) if b <= len(values) else "—" for b in budgets),
            ]
        )
    header = [
        "strategy",
        "train size",
        "trials",
        "s per trial",
        *(f"E[best val] @{b}" for b in budgets),
    ]
    parts = [
        "## Budget curves",
        "Expected best validation score (%) after n search trials, from each cell's search trials as in "
        "Dodge et al. 2019 (expected maximum of n draws from the observed scores; — beyond the trials run). "
        "Pruned trials count at the validation score they had when stopped; failed trials are left out.",
        md_table(header, rows) if rows else "No search trials with a validation score.",
    ]
    if figure and rows:
        parts.append(f"![Expected best validation score vs search trials and compute]({figure})")
    return "\n\n".join(parts)


def plot_budget_curves(records: pd.DataFrame, path: Path) -> Path | None:
    """Expected best val vs search trials and vs compute seconds, per train size; with several
    datasets a row per dataset. Colours are the strategies' own (harness/report/palette.py)."""
    cells = _search_cells(records)
    if not cells:
        return None
    sizes = sorted({c[0][2] for c in cells})
    datasets = sorted({split_group(c[0][0])[0] or "" for c in cells})
    rests = sorted({split_group(c[0][0])[1] for c in cells})
    kinds = ("search trials", "compute (s, trials × mean train time)")
    if len(datasets) == 1:  # a row per kind, a column per size
        rows, cols = 2, len(sizes)
        where = {(datasets[0], size, k): (k, sizes.index(size)) for size in sizes for k in (0, 1)}
    else:  # a row per dataset; per size, its trials and its compute panel side by side
        rows, cols = len(datasets), 2 * len(sizes)
        where = {
            (d, size, k): (datasets.index(d), 2 * sizes.index(size) + k)
            for d in datasets
            for size in sizes
            for k in (0, 1)
        }
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.0 * cols + 2.0, 2.5 * rows + 0.6),
        squeeze=False,
        sharey="row",
        layout="constrained",
    )
    used = set()
    for (group, strategy, size), values, seconds in cells:
        dataset, rest = split_group(group)
        n = np.arange(1, len(values) + 1)
        curve = [100 * expected_max(values, int(k)) for k in n]
        kw = style_of(strategy, rest, rests)
        for k, x in enumerate((n, n * seconds)):
            r, c = where[(dataset or "", size, k)]
            axes[r][c].plot(x, curve, marker=".", label=row_label(rest, strategy), **kw)
            axes[r][c].set_title(
                f"{dataset + ', ' if dataset else ''}n={size}: vs {kinds[k].split(' (')[0]}",
                fontsize=8,
            )
            axes[r][c].set_xlabel(kinds[k], fontsize=7)
            used.add((r, c))
    for (r, c), ax in np.ndenumerate(axes):
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
        if (r, c) not in used:
            ax.axis("off")
    fig.supylabel("expected best val score (%)", fontsize=9)
    fig.suptitle("Budget curves: expected best validation score of n search trials", fontsize=10)
    figure_legend(fig, "strategy")
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path
