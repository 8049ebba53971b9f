"""Ranks across datasets: Nemenyi's q table and CD, Friedman / Iman–Davenport on known ranks,
the critical-difference cliques, and the Bayesian signed-rank test's regions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.report.ranks import (
    average_ranks,
    bayes_signed_rank,
    critical_difference,
    friedman,
    nemenyi_cliques,
    nemenyi_q,
)

# Demšar (2006), Table 5(a), two-tailed Nemenyi, alpha = 0.05 and 0.10
DEMSAR_Q05 = {
    2: 1.960,
    3: 2.343,
    4: 2.569,
    5: 2.728,
    6: 2.850,
    7: 2.949,
    8: 3.031,
    9: 3.102,
    10: 3.164,
}
DEMSAR_Q10 = {
    2: 1.645,
    3: 2.052,
    4: 2.291,
    5: 2.459,
    6: 2.589,
    7: 2.693,
    8: 2.780,
    9: 2.855,
    10: 2.920,
}


@pytest.mark.parametrize("k", range(2, 11))
def test_nemenyi_q_is_demsars_table(k: int) -> None:
    assert nemenyi_q(k, 0.05) == DEMSAR_Q05[k]
    assert nemenyi_q(k, 0.10) == DEMSAR_Q10[k]


def test_nemenyi_q_beyond_the_table_comes_from_the_studentized_range() -> None:
    # q_0.05 for 11 groups, infinite df: 4.552 / sqrt(2) = 3.219
    assert nemenyi_q(11, 0.05) == pytest.approx(3.219, abs=0.002)
    with pytest.raises(ValueError):
        nemenyi_q(1)


def test_critical_difference_matches_demsars_worked_example() -> None:
    # Demšar §3.2.4: 4 algorithms on 14 data sets, CD = 1.25 at alpha 0.05 and 1.12 at 0.10
    assert critical_difference(4, 14, 0.05) == pytest.approx(2.569 * math.sqrt(20 / 84))
    assert round(critical_difference(4, 14, 0.05), 2) == 1.25
    assert round(critical_difference(4, 14, 0.10), 2) == 1.12
    assert critical_difference(3, 3) == pytest.approx(2.343 * math.sqrt(12 / 18))


def test_average_ranks_share_ties() -> None:
    scores = np.array([[0.9, 0.8, 0.8], [0.7, 0.9, 0.5]])
    assert average_ranks(scores).tolist() == pytest.approx([1.5, 1.75, 2.75])


def test_friedman_on_a_ranking_every_dataset_agrees_on() -> None:
    scores = np.array([[0.9, 0.8, 0.7], [0.85, 0.84, 0.5], [0.6, 0.55, 0.1]])
    f = friedman(scores, ["full", "lora", "head_only"], ["a", "b", "c"])
    assert f.ranks == (1.0, 2.0, 3.0)
    # chi2 = 12N/(k(k+1)) * sum R^2 - 3N(k+1) = 3 * 14 - 36 = 6; df 2: p = exp(-3)
    assert f.chi2 == pytest.approx(6.0)
    assert f.p == pytest.approx(math.exp(-3))
    assert f.f == math.inf and f.p_f == 0.0  # N(k-1) = chi2: Iman–Davenport is unbounded
    assert f.cd == pytest.approx(critical_difference(3, 3))
    assert f.rejects
    assert f.differing_pairs() == [("full", "head_only", pytest.approx(2.0))]


def test_friedman_statistic_matches_demsars_formula_without_ties() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(8, 4))
    f = friedman(scores, list("abcd"), [str(i) for i in range(8)])
    n, k = scores.shape
    r = np.array(f.ranks)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(r**2) - k * (k + 1) ** 2 / 4)
    assert f.chi2 == pytest.approx(chi2)
    ff = (n - 1) * chi2 / (n * (k - 1) - chi2)
    assert f.f == pytest.approx(ff)
    from scipy import stats

    assert f.p_f == pytest.approx(stats.f.sf(ff, k - 1, (k - 1) * (n - 1)))


def test_friedman_without_a_difference_compares_no_pair() -> None:
    tied = np.full((4, 3), 0.8)
    f = friedman(tied, ["a", "b", "c"], list("wxyz"))
    assert (f.chi2, f.p) == (0.0, 1.0)
    assert not f.rejects and f.differing_pairs() == []
    with pytest.raises(ValueError):
        friedman(np.ones((3, 2)), ["a", "b"], ["x", "y", "z"])


def test_cliques_join_strategies_no_test_tells_apart() -> None:
    assert nemenyi_cliques([1.0, 1.5, 2.9, 3.0], 1.0) == [(0, 1), (2, 3)]
    assert nemenyi_cliques([1.0, 2.0, 3.0], 1.91) == [(0, 1), (1, 2)]
    assert nemenyi_cliques([1.0, 2.0, 3.0], 0.5) == []
    assert nemenyi_cliques([3.0, 1.0, 2.0], 5.0) == [(0, 2)]


def test_bayes_signed_rank_regions() -> None:
    better = bayes_signed_rank([5.0, 6.0, 4.0, 7.0, 5.5, 6.5], rope=1.0)
    assert sum(better) == pytest.approx(1.0)
    assert better[2] > 0.9
    same = bayes_signed_rank([0.1, -0.2, 0.05, 0.0, 0.1, -0.1], rope=1.0)
    assert same[1] > 0.9
    worse = bayes_signed_rank([-5.0, -6.0, -4.0, -7.0, -5.5, -6.5], rope=1.0)
    assert worse == pytest.approx(better[::-1])  # same draws, mirrored differences
