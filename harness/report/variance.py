"""Where a cell's spread comes from: training seed, data subset draw, or the search's choice.

One-way random-effects variance components: runs grouped by `data_seed` (seeds nested in data
subsets), and by confirmed configuration when more than one was confirmed. A source that the
design does not vary separately from another is called confounded, not estimated.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from harness.report.fmt import md_table, row_label

__all__ = ["one_way_components", "variance_section"]


def one_way_components(values: np.ndarray, groups: np.ndarray) -> tuple[float, float] | None:
    """(between-group, within-group) variance by ANOVA moments; None when not separable."""
    labels, counts = np.unique(groups, return_counts=True)
    k, n = len(labels), len(values)
    if k < 2 or n - k < 1:
        return None
    means = np.array([values[groups == g].mean() for g in labels])
    ss_within = sum(
        ((values[groups == g] - m) ** 2).sum() for g, m in zip(labels, means, strict=True)
    )
    ss_between = float((counts * (means - values.mean()) ** 2).sum())
    ms_within, ms_between = ss_within / (n - k), ss_between / (k - 1)
    n0 = (n - (counts**2).sum() / n) / (k - 1)
    return max(0.0, (ms_between - ms_within) / n0), float(ms_within)


def _sd(var: float) -> str:
    """A variance component as an sd in points."""
    return f"{math.sqrt(var):.2f}"


def _cell_row(runs: pd.DataFrame) -> list[str]:
    """sd total / seed / data / search for one cell's completed confirmation runs (points)."""
    x = 100 * runs["test_score"].to_numpy(dtype=float)
    data = runs["data_seed"].fillna(0).astype(int).to_numpy()
    config = (
        runs["params"].astype(str).to_numpy() if "params" in runs.columns else np.zeros(len(runs))
    )
    total = _sd(float(x.var(ddof=1))) if len(x) >= 2 else "—"
    seed, data_text, search = "—", "not varied", "one configuration"
    by_data = one_way_components(x, data) if len(set(data)) >= 2 else None
    if len(set(data)) >= 2 and by_data is None:
        seed = data_text = "confounded (one run per data seed)"
    elif by_data is not None:
        data_text, seed = _sd(by_data[0]), _sd(by_data[1])
    elif len(x) >= 2:
        seed = _sd(float(x.var(ddof=1)))
    if len(set(config)) >= 2:
        by_config = one_way_components(x, config)
        search = (
            "confounded (one run per configuration)" if by_config is None else _sd(by_config[0])
        )
    return [total, seed, data_text, search]


def variance_section(records: pd.DataFrame) -> str:
    """Per cell: how much of the run-to-run spread is seed, data subset, or search."""
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    done = done.dropna(subset=["test_score"])
    rows = []
    for (group, strategy, size), runs in done.groupby(
        ["group", "grid_strategy", "grid_train_size"], sort=True
    ):
        rows.append(
            [
                row_label(str(group), str(strategy)),
                int(size),
                len(runs),
                runs["data_seed"].nunique(),
                *_cell_row(runs),
            ]
        )
    header = [
        "strategy",
        "train size",
        "runs",
        "data seeds",
        "sd total",
        "sd seed",
        "sd data subset",
        "sd search",
    ]
    return "\n\n".join(
        [
            "## Where the variance comes from",
            "Standard deviations (points of the test metric) over completed confirmation runs. One-way "
            "random-effects components (ANOVA moments, negative estimates set to 0): training seeds nested in "
            "data subsets (`data_seed`) when a data seed has ≥ 2 seeds; the search's share (between confirmed "
            "configurations) only when more than one configuration was confirmed. *Confounded*: the design "
            "varies the two together, so they cannot be separated.",
            md_table(header, rows) if rows else "No completed confirmation runs.",
        ]
    )
