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
        rows.append([
            row_label(group, strategy), size, len(values), fmt_seconds(seconds),
            *(fmt_pct(expected_max(values, b)) if b <= len(values) else "—" for b in budgets),
        ])  # fmt: skip
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
    """Per train size: expected best val vs trials (top) and vs compute seconds (bottom)."""
    cells = _search_cells(records)
    if not cells:
        return None
    sizes = sorted({c[0][2] for c in cells})
    fig, axes = plt.subplots(2, len(sizes), figsize=(3.6 * len(sizes), 5.5), squeeze=False)
    cmap, names = plt.get_cmap("tab10"), sorted({(c[0][0], c[0][1]) for c in cells})
    for (group, strategy, size), values, seconds in cells:
        col, color = sizes.index(size), cmap(names.index((group, strategy)) % 10)
        n = np.arange(1, len(values) + 1)
        curve = [100 * expected_max(values, int(k)) for k in n]
        axes[0][col].plot(n, curve, marker=".", color=color, label=row_label(group, strategy))
        axes[1][col].plot(n * seconds, curve, marker=".", color=color)
        axes[0][col].set_title(f"train size {size}", fontsize=9)
        axes[0][col].set_xlabel("search trials", fontsize=8)
        axes[1][col].set_xlabel("compute (s, trials × mean train time)", fontsize=8)
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("E[best val] (%)", fontsize=8)
    axes[1][0].set_ylabel("E[best val] (%)", fontsize=8)
    found = {
        lbl: h for ax in axes[0] for h, lbl in zip(*ax.get_legend_handles_labels(), strict=True)
    }
    axes[0][0].legend(list(found.values()), list(found.keys()), fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path
