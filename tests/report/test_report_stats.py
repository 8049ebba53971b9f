"""The noise test picks the right comparison and never claims what it cannot."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from harness.report.stats import compare_seeds


def test_matched_seeds_use_paired_t_test() -> None:
    a, b = {0: 0.80, 1: 0.82, 2: 0.85}, {0: 0.78, 1: 0.81, 2: 0.82}
    cmp = compare_seeds(a, b)
    assert cmp.test == "paired t" and cmp.n == 3
    assert cmp.p == pytest.approx(stats.ttest_rel([0.80, 0.82, 0.85], [0.78, 0.81, 0.82]).pvalue)
    assert cmp.diff == pytest.approx(0.02)


def test_unmatched_seeds_use_welch() -> None:
    cmp = compare_seeds({0: 0.8, 1: 0.82}, {5: 0.7, 6: 0.73, 7: 0.71})
    assert cmp.test == "Welch t"
    assert cmp.p == pytest.approx(
        stats.ttest_ind([0.8, 0.82], [0.7, 0.73, 0.71], equal_var=False).pvalue
    )
    assert cmp.beyond_noise()


def test_one_seed_is_unjudged() -> None:
    cmp = compare_seeds({0: 0.9}, {0: 0.5})
    assert cmp.test == "none" and math.isnan(cmp.p)
    assert not cmp.judged and not cmp.beyond_noise()
    assert cmp.diff == pytest.approx(0.4)


def test_zero_spread_differences() -> None:
    assert compare_seeds({0: 0.8, 1: 0.8}, {0: 0.8, 1: 0.8}).p == 1.0
    constant = compare_seeds({0: 0.81, 1: 0.83}, {0: 0.80, 1: 0.82})
    assert constant.p == 0.0 and constant.beyond_noise()
