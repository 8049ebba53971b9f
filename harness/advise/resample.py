"""Uncertainty from the runs: a paired bootstrap of every cell's mean score, all draws at once.

A confirmation run is keyed by (seed, data_seed), and the same key is run for every strategy of
a size: those runs share a training subset and a seed, so their scores move together. Each
bootstrap draw therefore resamples a size's run KEYS, and every strategy's cell at that size
takes its runs with those keys, which keeps the pairing a comparison between strategies rests
on. Sizes are resampled independently: their subsets differ (a smaller one nested in a larger),
and with three runs a correlation across sizes estimated from the runs would be noise that the
interpolated score's interval would inherit.

With three runs a cell has only ten distinct resamples and the plain bootstrap's spread is too
small twice over: its variance is (n-1)/n of the usual estimate, and it knows nothing of the
t distribution's heavier tails at n-1 degrees of freedom. Each draw's deviation from the cell
mean is therefore stretched by sqrt(n/(n-1)) x t(q, n-1) / z(q), so that the interval of one
cell's mean (and of a paired difference at equal n) has the width of the t interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CellDraws", "calibration", "interval", "paired_draws"]


@dataclass(frozen=True)
class CellDraws:
    """Bootstrap draws of every cell's mean score, on axes (draw, strategy, size)."""

    strategies: tuple[str, ...]
    sizes: tuple[int, ...]
    draws: np.ndarray  # (B, S, K); NaN where a cell has no runs
    means: np.ndarray  # (S, K) observed means
    counts: np.ndarray  # (S, K) runs per cell
    sds: np.ndarray  # (S, K) sample standard deviations (NaN below two runs)


def calibration(n: np.ndarray, level: float) -> np.ndarray:
    """The stretch per cell of n runs: sqrt(n/(n-1)) t(q, n-1) / z(q); 0 below two runs (a
    single run measures no spread, and the draws then stay at its value)."""
    q = 0.5 + level / 2
    n = np.asarray(n, dtype=float)
    out = np.zeros_like(n)
    ok = n >= 2
    dof = n[ok] - 1
    out[ok] = np.sqrt(n[ok] / dof) * stats.t.ppf(q, dof) / stats.norm.ppf(q)
    return out


def _cell_matrix(runs: pd.DataFrame, strategies: Sequence[str], sizes: Sequence[int]) -> np.ndarray:
    """Scores on axes (strategy, size, run key); NaN where that key was not run."""
    keyed = runs.assign(key=list(zip(runs["seed"], runs["data_seed"], strict=True)))
    keys = sorted(set(keyed["key"]))
    s_at = {s: i for i, s in enumerate(strategies)}
    k_at = {int(n): i for i, n in enumerate(sizes)}
    r_at = {k: i for i, k in enumerate(keys)}
    table = keyed.groupby(["strategy", "train_size", "key"])["score"].mean()
    y = np.full((len(strategies), len(sizes), len(keys)), np.nan)
    for (strategy, size, key), value in table.items():
        if strategy in s_at and int(size) in k_at:
            y[s_at[strategy], k_at[int(size)], r_at[key]] = value
    return y


def paired_draws(
    runs: pd.DataFrame,
    strategies: Sequence[str],
    sizes: Sequence[int],
    n_draws: int,
    level: float,
    rng: np.random.Generator,
) -> CellDraws:
    """Resample each size's run keys `n_draws` times; every cell's mean per draw."""
    y = _cell_matrix(runs, strategies, sizes)
    counts = np.sum(~np.isnan(y), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.nansum(y, axis=-1) / counts
        sds = np.sqrt(np.nansum((y - means[..., None]) ** 2, axis=-1) / (counts - 1))
    means = np.where(counts > 0, means, np.nan)
    sds = np.where(counts > 1, sds, np.nan)
    raw = np.empty((*means.shape, n_draws))
    for k in range(len(sizes)):  # a few sizes; each is vectorised over strategies and draws
        keys = np.flatnonzero(np.any(~np.isnan(y[:, k, :]), axis=0))
        if keys.size == 0:
            raw[:, k, :] = np.nan
            continue
        idx = keys[rng.integers(0, keys.size, size=(n_draws, keys.size))]
        picked = y[:, k, :][:, idx]  # (S, B, R_k)
        taken = np.sum(~np.isnan(picked), axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_k = np.nansum(picked, axis=-1) / taken
        raw[:, k, :] = np.where(taken > 0, mean_k, means[:, k, None])  # none drawn: its mean
    stretch = calibration(counts, level)[..., None]
    draws = means[..., None] + stretch * (raw - means[..., None])
    return CellDraws(
        tuple(strategies),
        tuple(int(n) for n in sizes),
        np.moveaxis(draws, -1, 0),
        means,
        counts,
        sds,
    )


def interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central `level` percentile interval of draws (NaN when there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan, math.nan
    low, high = np.quantile(finite, [0.5 - level / 2, 0.5 + level / 2])
    return float(low), float(high)
