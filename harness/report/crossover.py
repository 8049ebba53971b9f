"""Where full fine-tuning overtakes the best partial strategy along the learning curve.

The gap g(n) = mean(full) − mean(best partial at n) is interpolated linearly in log train size;
the crossover is the first n where g turns from ≤ 0 to > 0. The best partial strategy of each
size is picked once, from the observed means, and held fixed in the bootstrap (re-picking the
maximum in every resample would favour whichever strategy got lucky: a winner's curse). The
bootstrap resamples the blocks of runs of each size — (seed, data seed) pairs shared by the
strategies — so the pairing between cells is kept. Its interval is over all resamples: one that
never crosses inside the sizes counts as beyond the largest size, one where full leads already
at the smallest as below it, so the interval can be open (`<100`, `>1000`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.report.fmt import cell_name

__all__ = [
    "Crossover",
    "bound",
    "crossover_lines",
    "finished_cells",
    "first_crossing",
    "group_crossover",
]

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
    """Per cell: mean of its runs over blocks resampled with replacement — the same block draw
    for every strategy of a size — one value per bootstrap resample."""
    out = {}
    for n, at in block.groupby("train_size"):
        keys = sorted({k for runs in at["seed_acc"] for k in runs})
        picks = rng.integers(0, len(keys), size=(_RESAMPLES, len(keys)))
        for _, r in at.iterrows():
            values = np.array([r["seed_acc"].get(k, np.nan) for k in keys], dtype=float)
            drawn = values[picks]
            counts = (~np.isnan(drawn)).sum(axis=1)
            sums = np.nansum(drawn, axis=1)
            fallback = np.nanmean(values)  # a resample that drew none of this cell's blocks
            out[(str(r["strategy"]), int(n))] = np.where(
                counts > 0, sums / np.maximum(counts, 1), fallback
            )
    return out


def _best_partial(block: pd.DataFrame, full: str) -> dict[int, str]:
    """Each size's best partial strategy by observed mean (ties: name order), held fixed."""
    partial = block[block["strategy"] != full]
    ranked = partial.sort_values(["mean", "strategy"], ascending=[False, True])
    return {int(n): str(at.iloc[0]["strategy"]) for n, at in ranked.groupby("train_size")}


def _gap_matrix(
    sizes: list[int], full: str, best: dict[int, str], means: dict[tuple[str, int], np.ndarray]
) -> np.ndarray:
    """Resamples x sizes matrix of full − the size's best partial strategy."""
    return np.stack([means[(full, n)] - means[(best[n], n)] for n in sizes], axis=1)


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
    low: float  # bootstrap 95 % interval over all resamples (-inf: below the smallest size,
    high: float  # +inf: beyond the largest)
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
    best = _best_partial(block, full)
    estimate = first_crossing(x, _gap_matrix(sizes, full, best, point)[0])
    means = _resampled_means(block, np.random.default_rng(_SEED))
    crossings = np.array([first_crossing(x, g) for g in _gap_matrix(sizes, full, best, means)])
    inside = crossings[np.isfinite(crossings)]
    extended = np.where(np.isnan(crossings), math.inf, crossings)  # never crosses: beyond
    low, high = np.percentile(extended, [2.5, 97.5], method="inverted_cdf")
    cells = ", ".join(
        cell_name(str(s), int(n), str(block["group"].iloc[0])) for s, n in sorted(point)
    )
    return Crossover(
        tuple(sizes),
        float(estimate),
        float(low),
        float(high),
        len(inside),
        len(crossings),
        cells,
    )


def _group_line(block: pd.DataFrame, full: str) -> str | None:
    """The crossover statement for one group, or None with fewer than two comparable sizes."""
    c = group_crossover(block, full)
    if c is None:
        return None
    if math.isnan(c.estimate):
        return f"No crossover in the sizes run: full fine-tuning does not overtake the best partial strategy by mean at any size up to {c.sizes[-1]} ({c.share_text}) [{c.cells}]."
    if c.estimate == -math.inf:
        return f"No crossover in the sizes run: full fine-tuning leads the best partial strategy by mean already at {c.sizes[0]} ({c.share_text}) [{c.cells}]."
    interval = f"bootstrap 95 % interval {bound(c.low, c)} to {bound(c.high, c)}, the best partial strategy of each size held fixed"
    return f"Full fine-tuning overtakes the best partial strategy by mean at about train_size={c.estimate:.0f} (log-linear interpolation; {interval}; {c.share_text}) [{c.cells}]."


def bound(x: float, c: Crossover) -> str:
    """An interval end: a size, or open beyond the sizes run."""
    if x == -math.inf:
        return f"<{c.sizes[0]}"
    if x == math.inf:
        return f">{c.sizes[-1]}"
    return f"{x:.0f}"


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
