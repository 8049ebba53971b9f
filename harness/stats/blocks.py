"""One training size's confirmation runs as a randomized complete block design.

Every strategy at a size is run on the same blocks — a block is one (training seed, training
subset draw) — so a block's shared luck (an easy or a hard subset) cancels in the differences.
The primary model is the two-way ANOVA without interaction, fitted by least squares
(statsmodels): score ~ strategy + block, with one error variance pooled over the size's
strategies, so each strategy-vs-reference contrast is tested on (S - 1)(n - 1) degrees of
freedom instead of the n - 1 of its own paired differences. Blocks that hold only some
strategies (runs added where a comparison is still open) are used as they are: the contrast is
estimated within blocks.

The pooled variance is an assumption: fine-tuning runs of different strategies need not be
equally noisy (full fine-tuning is often the least stable at small sizes). It is checked on the
model's residuals (Brown-Forsythe / Levene test across strategies); where it is rejected the
size's contrasts fall back to the per-comparison paired t-test, which assumes nothing about the
other strategies. Both are always computed; the report shows both and says which one decided.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

__all__ = [
    "HOMOGENEITY_ALPHA",
    "Contrast",
    "SizeAnalysis",
    "analyse_size",
    "block_frame",
    "paired_contrast",
]

HOMOGENEITY_ALPHA = 0.10  # Levene p below this: the pooled variance is not trusted at this size


@dataclass(frozen=True)
class Contrast:
    """Strategy minus reference in points, with the standard error and df of its test."""

    strategy: str
    reference: str
    n: int  # blocks holding both
    diff: float
    se: float
    df: float
    method: str  # pooled | paired

    @property
    def testable(self) -> bool:
        return self.n >= 2 and self.df > 0 and math.isfinite(self.se)

    def p_two(self) -> float:
        """Two-sided p of 'no difference'."""
        if not self.testable:
            return math.nan
        return float(2 * stats.t.sf(abs(self.diff) / max(self.se, 1e-9), self.df))

    def p_equivalence(self, margin: float) -> tuple[float, float]:
        """TOST: p of 'diff <= -margin' and of 'diff >= +margin' (each one-sided)."""
        if not self.testable:
            return math.nan, math.nan
        se = max(self.se, 1e-9)
        lower = float(stats.t.sf((self.diff + margin) / se, self.df))
        upper = float(stats.t.cdf((self.diff - margin) / se, self.df))
        return lower, upper

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        if not self.testable:
            return math.nan, math.nan
        half = float(stats.t.ppf(0.5 + level / 2, self.df)) * self.se
        return self.diff - half, self.diff + half


@dataclass(frozen=True)
class SizeAnalysis:
    """Both analyses of one size, the diagnostics, and which one the verdicts use."""

    pooled: dict[str, Contrast]
    paired: dict[str, Contrast]
    residual_sd: dict[str, float]  # per strategy, pooled model's residuals (points)
    levene_p: float  # homogeneity of the residual variance across strategies
    shapiro_p: float  # normality of the residuals
    method: str  # pooled | paired: what the verdicts use
    reason: str
    residuals: pd.DataFrame = field(repr=False)  # strategy, block, fitted, residual

    @property
    def contrasts(self) -> dict[str, Contrast]:
        return self.pooled if self.method == "pooled" else self.paired


def block_frame(runs: Mapping[str, Mapping[Any, float]]) -> pd.DataFrame:
    """Strategy -> {block: score in points} as the model's table: strategy, block, order (the
    block's position in the run sequence, blocks sorted: looks are prefixes of it) and score."""
    rows = [
        {"strategy": str(s), "block": block, "score": float(v)}
        for s, by_block in runs.items()
        for block, v in by_block.items()
    ]
    frame = pd.DataFrame(rows, columns=["strategy", "block", "score"])
    order = {block: i for i, block in enumerate(sorted(set(frame["block"])))}
    return frame.assign(order=frame["block"].map(order).astype(int))


@dataclass(frozen=True)
class _Wide:
    """Scores as a blocks x strategies matrix (NaN: that strategy did not run that block)."""

    strategies: list[str]
    blocks: list[Hashable]
    y: np.ndarray

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Wide:
        strategies = sorted(set(frame["strategy"]))
        blocks = sorted(set(frame["block"]), key=str)
        col = {s: j for j, s in enumerate(strategies)}
        row = {b: i for i, b in enumerate(blocks)}
        y = np.full((len(blocks), len(strategies)), np.nan)
        for s, b, v in zip(frame["strategy"], frame["block"], frame["score"], strict=True):
            y[row[b], col[s]] = v
        return cls(strategies, blocks, y)

    def column(self, strategy: str) -> np.ndarray:
        return self.y[:, self.strategies.index(strategy)]


def _paired(wide: _Wide, strategy: str, reference: str) -> Contrast:
    if strategy not in wide.strategies or reference not in wide.strategies:
        return Contrast(strategy, reference, 0, math.nan, math.nan, 0, "paired")
    d = wide.column(strategy) - wide.column(reference)
    d = d[~np.isnan(d)]
    n = len(d)
    if n < 2:
        mean = float(d.mean()) if n else math.nan
        return Contrast(strategy, reference, n, mean, math.nan, 0, "paired")
    se = float(d.std(ddof=1) / math.sqrt(n))
    return Contrast(strategy, reference, n, float(d.mean()), se, n - 1, "paired")


def paired_contrast(frame: pd.DataFrame, strategy: str, reference: str) -> Contrast:
    """The paired t-test's contrast: mean and se of the per-block differences."""
    return _paired(_Wide.of(frame), strategy, reference)


def _pooled(wide: _Wide, reference: str) -> tuple[dict[str, Contrast], pd.DataFrame]:
    """Least-squares strategy + block fit; contrasts against the reference."""
    empty = pd.DataFrame(columns=["strategy", "block", "fitted", "residual"])
    keep = (~np.isnan(wide.y)).sum(axis=1) >= 2  # a block with one run only estimates itself
    y = wide.y[keep]
    blocks = [b for b, k in zip(wide.blocks, keep, strict=True) if k]
    present = [s for j, s in enumerate(wide.strategies) if (~np.isnan(y[:, j])).any()]
    others = [s for s in present if s != reference]
    if reference not in present or not others or len(blocks) < 2:
        return {}, empty
    rows, cols = np.nonzero(~np.isnan(y))
    names = [wide.strategies[c] for c in cols]
    # treatment coding: an intercept (the reference in the first block), one column per other
    # strategy (its contrast with the reference) and one per other block
    design = np.column_stack(
        [
            np.ones(len(rows)),
            *(np.array([n == s for n in names], dtype=float) for s in others),
            *((rows == i).astype(float) for i in range(1, len(blocks))),
        ]
    )
    with warnings.catch_warnings():  # a saturated or tiny design: df_resid 0 is handled below
        warnings.simplefilter("ignore")
        fit = sm.OLS(y[rows, cols], design).fit()
    df = float(fit.df_resid)
    ref = y[:, wide.strategies.index(reference)]
    out = {}
    for i, s in enumerate(others, start=1):
        shared = int((~np.isnan(ref) & ~np.isnan(y[:, wide.strategies.index(s)])).sum())
        se = float(fit.bse[i]) if df > 0 else math.nan
        out[s] = Contrast(s, reference, shared, float(fit.params[i]), se, df, "pooled")
    residuals = pd.DataFrame(
        {
            "strategy": names,
            "block": [blocks[r] for r in rows],
            "fitted": fit.fittedvalues,
            "residual": fit.resid,
        }
    )
    return out, residuals


def _diagnostics(residuals: pd.DataFrame, df: float) -> tuple[dict[str, float], float, float]:
    """Residual sd per strategy (scaled so they average to the pooled sd), Levene and Shapiro p."""
    if residuals.empty or df <= 0:
        return {}, math.nan, math.nan
    values = residuals["residual"].to_numpy(float)
    names = residuals["strategy"].to_numpy()
    scale = len(values) / df  # residuals shrink by the fitted parameters: undo it on average
    by = {str(s): values[names == s] for s in sorted(set(names))}
    sd = {s: float(math.sqrt(scale * (r**2).mean())) for s, r in by.items()}
    groups = [r for r in by.values() if len(r) >= 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        levene = (
            float(stats.levene(*groups, center="median").pvalue) if len(groups) >= 2 else math.nan
        )
        shapiro = (
            float(stats.shapiro(values).pvalue)
            if len(values) >= 3 and np.ptp(values) > 0
            else math.nan
        )
    return sd, levene, shapiro


def analyse_size(
    frame: pd.DataFrame,
    reference: str = "full",
    homogeneity_alpha: float = HOMOGENEITY_ALPHA,
) -> SizeAnalysis:
    """Contrasts of every strategy against the reference at one size.

    `frame`: one row per completed confirmation run, columns `strategy`, `block` (hashable: the
    run's (seed, data seed)) and `score` (points)."""
    wide = _Wide.of(frame)
    strategies = [s for s in wide.strategies if s != reference]
    paired = {s: _paired(wide, s, reference) for s in strategies}
    pooled, residuals = _pooled(wide, reference)
    df = next((c.df for c in pooled.values()), 0.0)
    sd, levene, shapiro = _diagnostics(residuals, df)
    if not pooled or df <= 0:
        method, reason = "paired", "too few runs for the pooled model"
    elif len(strategies) < 2:
        method, reason = "paired", "one comparison: nothing to pool"
    elif math.isnan(levene):
        method, reason = "paired", "too few runs per strategy to check the pooled variance"
    elif levene < homogeneity_alpha:
        method, reason = (
            "paired",
            f"residual variances differ across strategies (Levene p = {levene:.2g} < "
            f"{homogeneity_alpha:g})",
        )
    else:
        method, reason = "pooled", f"residual variances compatible (Levene p = {levene:.2g})"
    return SizeAnalysis(pooled, paired, sd, levene, shapiro, method, reason, residuals)
