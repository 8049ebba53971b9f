"""Comparing strategies over several datasets: average ranks, Friedman, Nemenyi, Bayesian signed-rank.

Demšar (2006, JMLR 7) for ranks: each dataset ranks the strategies (1 = best, ties share the
average rank), the Friedman test asks whether the average ranks differ more than chance, the
Iman–Davenport F is its less conservative form, and the Nemenyi critical difference (CD) says
which pairs of average ranks differ. Benavoli et al. (2017, JMLR 18) for the Bayesian
signed-rank test: a Dirichlet-process posterior over the per-dataset differences, read as the
probability that one strategy is practically better, equivalent within a rope, or worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "NEMENYI_Q",
    "Friedman",
    "average_ranks",
    "bayes_signed_rank",
    "critical_difference",
    "friedman",
    "nemenyi_cliques",
    "nemenyi_q",
]

# Demšar (2006), Table 5(a): studentized range statistic / sqrt(2), k = 2..10 strategies.
NEMENYI_Q: dict[float, tuple[float, ...]] = {
    0.05: (1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164),
    0.10: (1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920),
}
_LARGE_DF = 1e6  # studentized range with infinite df: scipy switches to its asymptotic form
BAYES_SAMPLES = 50_000
BAYES_PRIOR = 0.5  # weight of the prior pseudo-observation at difference 0 (Benavoli et al.)
_SEED = 20250601


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """q_alpha for k strategies: Demšar's table where it has the value, else scipy's range law."""
    if k < 2:
        raise ValueError(f"Nemenyi needs at least 2 strategies, got {k}")
    table = NEMENYI_Q.get(round(alpha, 10))
    if table is not None and k - 2 < len(table):
        return table[k - 2]
    return float(stats.studentized_range.ppf(1 - alpha, k, _LARGE_DF) / math.sqrt(2))


def critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi CD = q_alpha * sqrt(k (k + 1) / (6 N)): average ranks further apart differ."""
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6 * n))


def average_ranks(scores: np.ndarray) -> np.ndarray:
    """Mean rank per column of a datasets x strategies score matrix (higher score = rank 1)."""
    scores = np.asarray(scores, dtype=float)
    return np.vstack([stats.rankdata(-row) for row in scores]).mean(axis=0)


@dataclass(frozen=True)
class Friedman:
    """Friedman and Iman–Davenport tests over N datasets x k strategies, with Nemenyi's CD."""

    strategies: tuple[str, ...]
    datasets: tuple[str, ...]
    ranks: tuple[float, ...]  # average rank per strategy, in `strategies` order (1 = best)
    chi2: float  # Friedman chi-square (scipy, tie-corrected), df k - 1
    p: float
    f: float  # Iman–Davenport F, df (k - 1, (k - 1)(N - 1)); inf when every dataset agrees
    p_f: float
    cd: float  # Nemenyi critical difference at alpha
    alpha: float

    @property
    def rejects(self) -> bool:
        """Do the average ranks differ (Iman–Davenport at alpha)? Only then are pairs compared."""
        return self.p_f <= self.alpha

    def differing_pairs(self) -> list[tuple[str, str, float]]:
        """(better, worse, rank gap) of every pair whose average ranks differ by more than CD."""
        if not self.rejects:
            return []
        out = []
        order = sorted(
            range(len(self.strategies)), key=lambda i: (self.ranks[i], self.strategies[i])
        )
        for a, i in enumerate(order):
            for j in order[a + 1 :]:
                gap = self.ranks[j] - self.ranks[i]
                if gap > self.cd + 1e-12:
                    out.append((self.strategies[i], self.strategies[j], gap))
        return out


def _iman_davenport(chi2: float, n: int, k: int) -> tuple[float, float]:
    """F_F = (N - 1) chi2 / (N (k - 1) - chi2); every dataset ranking alike gives F = inf, p = 0."""
    denominator = n * (k - 1) - chi2
    if denominator <= 1e-12:
        return math.inf, 0.0
    f = (n - 1) * chi2 / denominator
    return f, float(stats.f.sf(f, k - 1, (k - 1) * (n - 1)))


def friedman(
    scores: np.ndarray,
    strategies: Sequence[str],
    datasets: Sequence[str],
    alpha: float = 0.05,
) -> Friedman:
    """The tests for a datasets x strategies matrix of mean scores (needs k >= 3, N >= 2)."""
    scores = np.asarray(scores, dtype=float)
    n, k = scores.shape
    if k < 3 or n < 2:
        raise ValueError(f"Friedman needs >= 3 strategies and >= 2 datasets, got {k} and {n}")
    ranks = average_ranks(scores)
    if all(np.ptp(row) == 0 for row in scores):  # every dataset ties every strategy
        chi2, p = 0.0, 1.0
    else:
        result = stats.friedmanchisquare(*scores.T)
        chi2, p = float(result.statistic), float(result.pvalue)
    f, p_f = _iman_davenport(chi2, n, k)
    return Friedman(
        strategies=tuple(strategies),
        datasets=tuple(datasets),
        ranks=tuple(float(r) for r in ranks),
        chi2=chi2,
        p=p,
        f=f,
        p_f=p_f,
        cd=critical_difference(k, n, alpha),
        alpha=alpha,
    )


def nemenyi_cliques(ranks: Sequence[float], cd: float) -> list[tuple[int, int]]:
    """Maximal runs (first, last index into the ranks sorted ascending) whose spread is <= CD:
    the bars of a critical-difference diagram (strategies no test tells apart)."""
    r = sorted(ranks)
    spans: list[tuple[int, int]] = []
    for i in range(len(r)):
        j = i
        while j + 1 < len(r) and r[j + 1] - r[i] <= cd + 1e-12:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in spans):
            spans.append((i, j))
    return spans


def bayes_signed_rank(
    diffs: Sequence[float],
    rope: float,
    prior: float = BAYES_PRIOR,
    samples: int = BAYES_SAMPLES,
    seed: int = _SEED,
) -> tuple[float, float, float]:
    """P(left), P(rope), P(right) for per-dataset differences (a − b): the share of posterior
    draws in which each region is the most probable (Benavoli et al. 2017, as in `baycomp`)."""
    z = np.concatenate(([0.0], np.asarray(diffs, dtype=float)))  # the prior pseudo-observation
    sums = z[:, None] + z[None, :]  # twice the Walsh averages
    above = (sums > 2 * rope) + 0.5 * (sums == 2 * rope)
    below = (sums < -2 * rope) + 0.5 * (sums == -2 * rope)
    weights = np.random.default_rng(seed).dirichlet([prior] + [1.0] * (len(z) - 1), samples)
    right = np.einsum("si,ij,sj->s", weights, above, weights)
    left = np.einsum("si,ij,sj->s", weights, below, weights)
    regions = np.stack([left, 1 - left - right, right], axis=1)
    winner = np.bincount(regions.argmax(axis=1), minlength=3) / samples
    return float(winner[0]), float(winner[1]), float(winner[2])
