"""Where full fine-tuning overtakes the best partial strategy along the learning curve.

The gap g(n) = mean(full) − max over partial strategies of mean(partial) is interpolated
linearly in log train size; the crossover is the first n where g turns from ≤ 0 to > 0. A
bootstrap over each cell's confirmation runs (best partial re-picked in every resample) gives
its interval and the share of resamples with a crossover inside the sizes run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.report.fmt import cell_name

__all__ = ["Crossover", "crossover_lines", "finished_cells", "first_crossing", "group_crossover"]

_RESAMPLES = 2_000
_SEED = 20250601


def first_crossing(sizes: np.ndarray, gap: np.ndarray) -> float:
    """First size where the gap turns positive (log-linear interpolation); NaN when it never does
    inside the sizes, -inf when full leads already at the smallest size."""
    if gap[0] > 0:
        return -math.inf
    for i in range(1, len(sizes)):
        if gap[i] > 0 >= gap[i - 1]:
            lo, hi = math.log(sizes[i - 1]), math.log(sizes[i])
            frac = -gap[i - 1] / (gap[i] - gap[i - 1])
            return math.exp(lo + frac * (hi - lo))
    return math.nan


def _resampled_means(
    block: pd.DataFrame, rng: np.random.Generator
) -> dict[tuple[str, int], np.ndarray]:
    """Per cell: mean of runs resampled with replacement, one value per bootstrap resample."""
    out = {}
    for _, r in block.iterrows():
        values = np.array(list(r["seed_acc"].values()), dtype=float)
        idx = rng.integers(0, len(values), size=(_RESAMPLES, len(values)))
        out[(str(r["strategy"]), int(r["train_size"]))] = values[idx].mean(axis=1)
    return out


def _gap_matrix(
    block: pd.DataFrame, sizes: list[int], full: str, means: dict[tuple[str, int], np.ndarray]
) -> np.ndarray:
    """Resamples x sizes matrix of full − best partial."""
    partial = sorted(set(block["strategy"]) - {full})
    gaps = []
    for n in sizes:
        best = np.max([means[(s, n)] for s in partial if (s, n) in means], axis=0)
        gaps.append(means[(full, n)] - best)
    return np.stack(gaps, axis=1)


def _usable_sizes(block: pd.DataFrame, full: str) -> list[int]:
    """Sizes where full and at least one partial strategy finished."""
    sizes = []
    for n, at in block.groupby("train_size"):
        names = set(at["strategy"])
        if full in names and len(names) >= 2:
            sizes.append(int(n))
    return sorted(sizes)


@dataclass(frozen=True)
class Crossover:
    """Where full overtakes the best partial strategy in one group (sizes in examples)."""

    sizes: tuple[int, ...]  # sizes with full and a partial result, ascending
    estimate: float  # NaN: never inside the sizes; -inf: full leads already at the smallest
    low: float  # bootstrap 95 % interval among resamples that cross (NaN: too few)
    high: float
    crossing: int  # bootstrap resamples that cross inside the sizes
    resamples: int
    cells: str  # the cells it rests on, as findings cite them

    @property
    def share_text(self) -> str:
        """`40 % of 2000 bootstrap resamples cross inside 100–1000`."""
        return f"{100 * self.crossing / self.resamples:.0f} % of {self.resamples} bootstrap resamples cross inside {self.sizes[0]}–{self.sizes[-1]}"


def group_crossover(block: pd.DataFrame, full: str = "full") -> Crossover | None:
    """The crossover of one group's finished cells, or None with fewer than two comparable sizes."""
    sizes = _usable_sizes(block, full)
    if len(sizes) < 2:
        return None
    block = block[block["train_size"].isin(sizes)]
    point = {
        (str(r["strategy"]), int(r["train_size"])): np.array([r["mean"]])
        for _, r in block.iterrows()
    }
    x = np.array(sizes, dtype=float)
    estimate = first_crossing(x, _gap_matrix(block, sizes, full, point)[0])
    boot = _gap_matrix(block, sizes, full, _resampled_means(block, np.random.default_rng(_SEED)))
    crossings = np.array([first_crossing(x, g) for g in boot])
    inside = crossings[np.isfinite(crossings)]
    low, high = np.percentile(inside, [2.5, 97.5]) if len(inside) >= 20 else (math.nan, math.nan)
    cells = ", ".join(
        cell_name(str(s), int(n), str(block["group"].iloc[0])) for s, n in sorted(point)
    )
    return Crossover(
        tuple(sizes), float(estimate), float(low), float(high),
        len(inside), len(crossings), cells,
    )  # fmt: skip


def _group_line(block: pd.DataFrame, full: str) -> str | None:
    """The crossover statement for one group, or None with fewer than two comparable sizes."""
    c = group_crossover(block, full)
    if c is None:
        return None
    if math.isnan(c.estimate):
        return f"No crossover in the sizes run: full fine-tuning does not overtake the best partial strategy by mean at any size up to {c.sizes[-1]} ({c.share_text}) [{c.cells}]."
    if c.estimate == -math.inf:
        return f"No crossover in the sizes run: full fine-tuning leads the best partial strategy by mean already at {c.sizes[0]} ({c.share_text}) [{c.cells}]."
    interval = (
        f"bootstrap 95 % interval {c.low:.0f}–{c.high:.0f} among resamples that cross"
        if not math.isnan(c.low)
        else "too few crossing resamples for an interval"
    )
    return f"Full fine-tuning overtakes the best partial strategy by mean at about train_size={c.estimate:.0f} (log-linear interpolation; {interval}; {c.share_text}) [{c.cells}]."


def finished_cells(summary: pd.DataFrame) -> pd.DataFrame:
    """The cells a crossover can use: confirmed, with at least one run."""
    return summary[(summary["state"] == "ok") & (summary["n_seeds"] >= 1)]


def crossover_lines(summary: pd.DataFrame, full: str = "full") -> list[str]:
    """One crossover statement per group of extra grid axes."""
    out = []
    for group, block in finished_cells(summary).groupby("group", sort=True):
        line = _group_line(block, full)
        if line:
            out.append((f"[{group}] " if group else "") + line)
    return out
