"""The noise test: is one strategy's seed-to-seed result different from another's?"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "Comparison", "compare_seeds", "NOISE_TEST_TEXT"]

ALPHA = 0.05  # two-sided significance level of every comparison in the report

NOISE_TEST_TEXT = (
    "Noise test: two-sided paired t-test over the confirmation seeds both cells share "
    "(scipy `ttest_rel`); Welch's t-test (`ttest_ind`, unequal variances) when fewer than "
    f"2 seeds are shared; alpha = {ALPHA}, no correction for multiple comparisons. "
    "When the per-seed differences (or both cells) have zero spread, p is taken as 1 for "
    "equal means and 0 otherwise. With fewer than 2 seeds per cell noise cannot be judged. "
    "With few seeds (e.g. 3) the test has little power: p ≥ 0.05 means *not distinguishable*, not *equal*."
)


@dataclass(frozen=True)
class Comparison:
    """Outcome of comparing cell `a` to cell `b`; `diff` is mean(a) - mean(b) in accuracy units."""

    test: str  # "paired t" | "Welch t" | "none"
    n: int  # seeds used (pairs for paired, smaller cell for Welch)
    diff: float
    p: float  # NaN when noise cannot be judged

    @property
    def judged(self) -> bool:
        """Whether there were enough seeds to say anything about noise."""
        return not math.isnan(self.p)

    def beyond_noise(self, alpha: float = ALPHA) -> bool:
        """True when the difference is significant at `alpha` (never when unjudged)."""
        return self.judged and self.p < alpha


def _degenerate_p(diff: float) -> float:
    """Zero spread: any consistent difference is real, no difference is no difference."""
    return 1.0 if math.isclose(diff, 0.0, abs_tol=1e-12) else 0.0


def _paired(a: Mapping[int, float], b: Mapping[int, float], seeds: list[int]) -> Comparison:
    """Paired t-test on matched seeds, which cancels the shared seed effect."""
    xa = np.array([a[s] for s in seeds], dtype=float)
    xb = np.array([b[s] for s in seeds], dtype=float)
    diffs = xa - xb
    diff = float(diffs.mean())
    if np.ptp(diffs) < 1e-12:
        return Comparison("paired t", len(seeds), diff, _degenerate_p(diff))
    p = float(stats.ttest_rel(xa, xb).pvalue)
    return Comparison("paired t", len(seeds), diff, p)


def _welch(a: Mapping[int, float], b: Mapping[int, float]) -> Comparison:
    """Welch's t-test when seeds do not line up."""
    xa = np.array(list(a.values()), dtype=float)
    xb = np.array(list(b.values()), dtype=float)
    diff = float(xa.mean() - xb.mean())
    n = min(len(xa), len(xb))
    if np.ptp(xa) < 1e-12 and np.ptp(xb) < 1e-12:
        return Comparison("Welch t", n, diff, _degenerate_p(diff))
    p = float(stats.ttest_ind(xa, xb, equal_var=False).pvalue)
    return Comparison("Welch t", n, diff, p)


def compare_seeds(a: Mapping[int, float], b: Mapping[int, float]) -> Comparison:
    """Compare two cells' per-seed test accuracies; paired where seeds match."""
    shared = sorted(set(a) & set(b))
    if len(shared) >= 2:
        return _paired(a, b, shared)
    if len(a) >= 2 and len(b) >= 2:
        return _welch(a, b)
    mean_a = float(np.mean(list(a.values()))) if a else math.nan
    mean_b = float(np.mean(list(b.values()))) if b else math.nan
    return Comparison("none", min(len(a), len(b)), mean_a - mean_b, math.nan)
