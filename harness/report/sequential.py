"""Verdicts that stay valid when seeds are added until a comparison is decided.

A comparison is looked at after every confirmation run from `min_n` to `max_n`. Each look runs
a paired t-test (difference ≠ 0) and TOST (|difference| < margin). Testing each look at the
plain alpha would inflate false verdicts, so every look uses one Pocock-type nominal level:
the p-value threshold that the smallest p over all planned looks crosses with probability
alpha under the null. Under normal paired differences the t statistics are pivotal (their
joint law does not depend on the sd), so that threshold is calibrated once by simulation.
Reported p-values are *sequential* p-values: the null probability that some planned look
gives a p this small — valid whatever the stopping rule, so Holm can combine them.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "Decision", "SeedPlan", "decide", "decide_family", "holm", "sequential_p", "sequential_verdict",
]  # fmt: skip

_SIMULATIONS = 100_000  # null sequences for the boundary; MC error of the level ≈ 0.0007
_POWER = 0.8  # power at which the minimum detectable difference and seeds needed are quoted
_MAX_PLANNED = 200  # beyond this many seeds a comparison is "not decidable in practice"


@dataclass(frozen=True)
class SeedPlan:
    """Runs per cell the sweep may use: looks at n = min_n..max_n (min == max: one look)."""

    min_n: int = 3
    max_n: int = 3

    def looks(self, n: int) -> tuple[int, ...]:
        """Every planned look, plus n itself when a partial or grown sweep lands outside the plan."""
        first = max(2, self.min_n)
        return tuple(sorted({*range(first, max(first, self.max_n) + 1), max(2, n)}))


@functools.lru_cache(maxsize=64)
def _null_min_p(looks: tuple[int, ...], two_sided: bool) -> np.ndarray:
    """Sorted smallest p over the looks for null sequences of paired differences."""
    if len(looks) == 1:
        return np.empty(0)  # a single look needs no simulation: the p-value is exact
    rng = np.random.default_rng(20250601)
    total = np.zeros(_SIMULATIONS)
    squares = np.zeros(_SIMULATIONS)
    best = np.ones(_SIMULATIONS)
    for n in range(1, looks[-1] + 1):
        z = rng.standard_normal(_SIMULATIONS)
        total += z
        squares += z * z
        if n in looks:
            mean = total / n
            sd = np.sqrt(np.maximum(squares - n * mean * mean, 1e-300) / (n - 1))
            t = mean / (sd / math.sqrt(n))
            p = 2 * stats.t.sf(np.abs(t), n - 1) if two_sided else stats.t.sf(t, n - 1)
            np.minimum(best, p, out=best)
    return np.sort(best)


def sequential_p(p: float, looks: tuple[int, ...], two_sided: bool = True) -> float:
    """The null chance that any planned look gives a p-value ≤ p (p itself for one look)."""
    null = _null_min_p(tuple(looks), two_sided)
    if null.size == 0 or math.isnan(p):
        return p
    return float((np.searchsorted(null, p, side="right") + 1) / (null.size + 1))


def nominal_level(alpha: float, looks: tuple[int, ...], two_sided: bool = True) -> float:
    """The per-look p threshold whose sequential p equals alpha (Pocock-type boundary)."""
    null = _null_min_p(tuple(looks), two_sided)
    if null.size == 0:
        return alpha
    return float(np.quantile(null, alpha))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values; NaN stays NaN and is not counted in the family."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    idx = np.flatnonzero(~np.isnan(p))
    order = idx[np.argsort(p[idx], kind="stable")]
    m, running = len(order), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@dataclass(frozen=True)
class Decision:
    """One comparison at one look; differences in points (a − b), p-values before Holm."""

    n: int  # paired runs (or the smaller cell for Welch)
    diff: float
    sd: float  # sd of the paired differences (Welch: pooled-equivalent sd)
    se: float
    df: float
    ci_low: float  # plain 95 % t interval
    ci_high: float
    p_diff: float  # sequential two-sided p of "difference ≠ 0"
    p_equiv: float  # sequential TOST p of "|difference| < margin"
    looks: tuple[int, ...]
    verdict: str = "undecided"  # better | worse | equivalent | undecided (after the family's Holm)


def decide(
    diff: float, se: float, df: float, n: int, plan: SeedPlan, margin: float, sd: float = math.nan
) -> Decision:
    """t-test and TOST p-values at this look, made sequential over the plan's looks."""
    looks = plan.looks(n)
    if n < 2 or not df > 0:
        return Decision(n, diff, sd, math.nan, df, math.nan, math.nan, math.nan, math.nan, looks)
    se = max(se, 1e-9)  # zero spread: any consistent gap is decisive, exactly zero is equivalent
    half = stats.t.ppf(0.975, df) * se
    p_two = float(2 * stats.t.sf(abs(diff) / se, df))
    p_tost = float(max(stats.t.sf((diff + margin) / se, df), stats.t.cdf((diff - margin) / se, df)))
    return Decision(
        n, diff, sd, se, df, diff - half, diff + half,
        sequential_p(p_two, looks, True), sequential_p(p_tost, looks, False), looks,
    )  # fmt: skip


def paired(diffs: Sequence[float], plan: SeedPlan, margin: float) -> Decision:
    """A Decision from paired differences in points (one per shared run)."""
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    sd = float(d.std(ddof=1)) if n >= 2 else math.nan
    return decide(mean, sd / math.sqrt(n) if n >= 2 else math.nan, n - 1, n, plan, margin, sd)


def _label(d: Decision, p_diff: float, p_equiv: float, alpha: float) -> str:
    """Equivalence first (the practical answer), then a direction, else undecided."""
    if p_equiv <= alpha:
        return "equivalent"
    if p_diff <= alpha:
        return "better" if d.diff > 0 else "worse"
    return "undecided"


def decide_family(
    decisions: Sequence[Decision], alpha: float
) -> tuple[list[Decision], np.ndarray, np.ndarray]:
    """Holm over the family (difference and equivalence p-values each), then each verdict."""
    p_diff = holm([d.p_diff for d in decisions])
    p_equiv = holm([d.p_equiv for d in decisions])
    out = [
        dataclasses.replace(d, verdict=_label(d, p_diff[i], p_equiv[i], alpha))
        for i, d in enumerate(decisions)
    ]
    return out, p_diff, p_equiv


def sequential_verdict(
    diffs: Sequence[float], plan: SeedPlan, margin: float, alpha: float
) -> Decision:
    """The verdict for one comparison after len(diffs) paired runs, valid under adding seeds."""
    return decide_family([paired(diffs, plan, margin)], alpha)[0][0]


def _decidable(
    n: int, diff: float, sd: float, margin: float, alpha_two: float, alpha_one: float
) -> bool:
    """Would n runs decide with 80 % power if the observed gap and sd were the truth?"""
    df, se = n - 1, sd / math.sqrt(n)
    z = stats.t.ppf(_POWER, df)
    by_diff = (stats.t.ppf(1 - alpha_two / 2, df) + z) * se <= abs(diff)
    by_equiv = (stats.t.ppf(1 - alpha_one, df) + z) * se <= margin - abs(diff)
    return bool(by_diff or by_equiv)


def planning(
    d: Decision, margin: float, alpha: float, open_tests: int = 1
) -> tuple[float, int | None]:
    """Minimum detectable difference now (80 % power) and about how many runs would decide.

    `open_tests`: undecided comparisons left in the family; Holm tests the next one at
    alpha / open_tests, so that is the level quoted."""
    if d.n < 2 or math.isnan(d.sd):
        return math.nan, None
    level = alpha / max(open_tests, 1)
    two = nominal_level(level, d.looks, True)
    one = nominal_level(level, d.looks, False)
    df = max(d.n - 1, 1)
    mdd = (
        (stats.t.ppf(1 - two / 2, df) + stats.t.ppf(_POWER, df)) * max(d.sd, 1e-9) / math.sqrt(d.n)
    )
    for n in range(max(d.n + 1, 3), _MAX_PLANNED + 1):
        if _decidable(n, d.diff, max(d.sd, 1e-9), margin, two, one):
            return float(mdd), n
    return float(mdd), None
