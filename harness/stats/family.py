"""Verdicts for one training size: every strategy against the reference, decided together.

Each comparison carries two null hypotheses — 'no difference' (two-sided t-test) and 'not
equivalent', |difference| >= margin (TOST) — tested with repeated p-values over the looks so far
(`sequential`). The family is the size (a user asks about *their* size). Holm over all 2m
hypotheses would divide alpha by 2m, but at most one of each comparison's pair can be true (a
difference of exactly 0 lies inside the margin), so Shaffer's (1986) step-down with logical
constraints applies: at each step alpha is divided by the number of comparisons that still have
an unrejected hypothesis. Like Holm it holds under any dependence between the tests (they share
the reference's runs and the test set), and it controls the chance of *any* false verdict at the
size — a false 'equivalent' or a false 'better/worse' — at alpha.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from harness.stats.blocks import HOMOGENEITY_ALPHA, Contrast, SizeAnalysis, analyse_size
from harness.stats.sequential import LookPlan, nominal_levels, repeated_p

__all__ = ["Comparison", "SizeVerdicts", "decide_size", "shaffer"]

POWER = 0.8  # power at which the minimum detectable difference and runs needed are quoted
MAX_PLANNED = 200  # beyond this many runs a comparison is "not decidable in practice"


def shaffer(p_diff: Sequence[float], p_equiv: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted p-values of each comparison's two hypotheses (NaN: not tested, not counted).

    Step j tests the j-th smallest p at alpha / t_j, t_j = comparisons with a hypothesis not among
    the j - 1 already rejected (their two nulls cannot both be true)."""
    m = len(p_diff)
    hyps = [
        (float(p), i, kind)
        for kind, ps in ((0, p_diff), (1, p_equiv))
        for i, p in enumerate(ps)
        if p is not None and math.isfinite(p)
    ]
    hyps.sort(key=lambda h: (h[0], h[2], h[1]))
    adjusted = np.full((2, m), math.nan)
    remaining = {(i, kind) for _, i, kind in hyps}
    running = 0.0
    for p, i, kind in hyps:
        t = len({j for j, _ in remaining})
        running = max(running, min(1.0, t * p))
        adjusted[kind, i] = running
        remaining.discard((i, kind))
    return adjusted[0], adjusted[1]


@dataclass(frozen=True)
class Comparison:
    """One strategy against the reference at one size, after every look so far."""

    contrast: Contrast  # the final look's contrast of the method that decided
    paired: Contrast  # the per-comparison paired t-test (sensitivity)
    p_diff: float  # repeated two-sided p, before the family's correction
    p_equiv: float  # repeated TOST p
    p_diff_adj: float
    p_equiv_adj: float
    verdict: str  # better | worse | equivalent | undecided
    mdd: float = math.nan  # minimum detectable difference now (points, 80 % power)
    runs_needed: int | None = None  # about how many runs per cell would decide it


@dataclass(frozen=True)
class SizeVerdicts:
    comparisons: dict[str, Comparison]
    analysis: SizeAnalysis  # the last look's analysis (diagnostics, residuals)
    looks: int  # blocks looked at so far


def _label(diff: float, p_diff: float, p_equiv: float, alpha: float) -> str:
    """Equivalence first (the practical answer), then a direction, else undecided."""
    if p_equiv <= alpha:
        return "equivalent"
    if p_diff <= alpha:
        return "better" if diff > 0 else "worse"
    return "undecided"


def _histories(
    frame: pd.DataFrame, plan: LookPlan, reference: str, margin: float, homogeneity: float
) -> tuple[dict[str, dict[str, dict[int, float]]], SizeAnalysis, int]:
    """Each strategy's p-values at the looks where it gained a block; the last analysis."""
    orders = sorted(set(frame["order"]))
    first = max(2, plan.n_min)
    hist: dict[str, dict[str, dict[int, float]]] = {}
    seen: dict[str, int] = {}
    analysis = analyse_size(frame, reference, homogeneity)
    for k in range(min(first, len(orders)), len(orders) + 1):
        at = frame[frame["order"] <= orders[k - 1]]
        analysis = analyse_size(at, reference, homogeneity)
        for s, c in analysis.contrasts.items():
            if c.n <= seen.get(s, 0) or not c.testable:
                continue  # no new block for this comparison: not a new look
            seen[s] = c.n
            lower, upper = c.p_equivalence(margin)
            h = hist.setdefault(s, {"two": {}, "lower": {}, "upper": {}})
            h["two"][c.n], h["lower"][c.n], h["upper"][c.n] = c.p_two(), lower, upper
    return hist, analysis, len(orders)


def _planning(
    c: Contrast, plan: LookPlan, margin: float, alpha: float, open_tests: int
) -> tuple[float, int | None]:
    """Minimum detectable difference now and runs per cell that would decide with 80 % power
    if the observed difference and per-run sd held (final-look level of the plan)."""
    if not c.testable:
        return math.nan, None
    level = alpha / max(open_tests, 1)
    last = plan.looks(c.n)[-1]
    two = nominal_levels(plan, level, True, c.n)[last]
    one = nominal_levels(plan, level, False, c.n)[last]
    sd = max(c.se * math.sqrt(c.n), 1e-9)  # per-block sd of the contrast
    df_per_block = c.df / c.n  # pooled: (S - 1) per block; paired: about 1
    mdd = (stats.t.ppf(1 - two / 2, max(c.df, 1)) + stats.t.ppf(POWER, max(c.df, 1))) * c.se
    n = np.arange(c.n + 1, MAX_PLANNED + 1, dtype=float)
    df = np.maximum(df_per_block * n, 1.0)
    se = sd / np.sqrt(n)
    z = stats.t.ppf(POWER, df)
    by_diff = (stats.t.ppf(1 - two / 2, df) + z) * se <= abs(c.diff)
    by_equiv = (stats.t.ppf(1 - one, df) + z) * se <= margin - abs(c.diff)
    hits = np.flatnonzero(by_diff | by_equiv)
    return float(mdd), (int(n[hits[0]]) if hits.size else None)


def decide_size(
    frame: pd.DataFrame,
    plan: LookPlan,
    margin: float,
    alpha: float,
    reference: str = "full",
    homogeneity_alpha: float = HOMOGENEITY_ALPHA,
) -> SizeVerdicts:
    """Verdicts of every strategy vs the reference at one size, over all looks so far.

    `frame`: completed confirmation runs, columns strategy, block, order (the block's position in
    the run sequence: looks are prefixes of it) and score (points)."""
    hist, analysis, looks = _histories(frame, plan, reference, margin, homogeneity_alpha)
    strategies = sorted(analysis.contrasts)
    # the boundaries are simulated for the t statistics of the design the verdicts use
    groups = len(strategies) + 1 if analysis.method == "pooled" else 2
    p_diff, p_equiv = [], []
    for s in strategies:
        h = hist.get(s)
        if h is None:
            p_diff.append(math.nan)
            p_equiv.append(math.nan)
            continue
        p_diff.append(repeated_p(h["two"], plan, True, groups))
        p_equiv.append(
            max(
                repeated_p(h["lower"], plan, False, groups),
                repeated_p(h["upper"], plan, False, groups),
            )
        )
    adj_diff, adj_equiv = shaffer(p_diff, p_equiv)
    verdicts = {
        s: _label(analysis.contrasts[s].diff, adj_diff[i], adj_equiv[i], alpha)
        for i, s in enumerate(strategies)
    }
    open_tests = sum(v == "undecided" for v in verdicts.values())
    out = {}
    for i, s in enumerate(strategies):
        c = analysis.contrasts[s]
        mdd, needed = (
            _planning(c, plan, margin, alpha, open_tests)
            if verdicts[s] == "undecided"
            else (math.nan, None)
        )
        out[s] = Comparison(
            c,
            analysis.paired[s],
            p_diff[i],
            p_equiv[i],
            float(adj_diff[i]),
            float(adj_equiv[i]),
            verdicts[s],
            mdd,
            needed,
        )
    return SizeVerdicts(out, analysis, looks)
