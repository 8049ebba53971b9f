"""Group-sequential boundaries and repeated p-values, and Shaffer's step-down."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from harness.stats import LookPlan, nominal_levels, repeated_p, shaffer
from harness.stats.sequential import spent


def test_one_look_is_the_plain_test() -> None:
    plan = LookPlan(5, 5)
    assert nominal_levels(plan, 0.05) == {5: 0.05}
    assert repeated_p({5: 0.012}, plan) == 0.012


def test_obf_spends_little_early_and_most_at_the_end() -> None:
    plan = LookPlan(4, 10, "obf", 2)
    assert plan.looks() == (4, 6, 8, 10)
    levels = nominal_levels(plan, 0.05)
    assert levels[4] < 0.005 < levels[10] and list(levels.values()) == sorted(levels.values())
    assert spent(1.0, 0.05, "obf") == pytest.approx(0.05)
    pocock = nominal_levels(LookPlan(4, 10, "pocock", 2), 0.05)
    assert pocock[4] > levels[4] and pocock[10] < levels[10]


def test_repeated_p_is_the_smallest_alpha_that_rejects() -> None:
    plan = LookPlan(4, 10, "obf", 2)
    levels = nominal_levels(plan, 0.05)
    assert repeated_p({4: 0.5, 6: levels[6] * 0.999}, plan) <= 0.05 + 1e-9
    assert repeated_p({4: 0.5, 6: levels[6] * 1.2}, plan) > 0.05
    assert math.isnan(repeated_p({2: 0.001}, plan))


def test_repeated_p_keeps_its_level_under_optional_stopping() -> None:
    """Paired t-tests on null data, looked at after every draw until rejected or at n_max: the
    repeated p reaches 0.05 in about 5 % of studies."""
    plan = LookPlan(4, 10, "obf", 2)
    rng = np.random.default_rng(3)
    studies, hits = 3000, 0
    for _ in range(studies):
        d = rng.standard_normal(10)
        hist = {n: float(stats.ttest_1samp(d[:n], 0).pvalue) for n in plan.looks()}
        hits += repeated_p(hist, plan) <= 0.05
    se = math.sqrt(0.05 * 0.95 / studies)
    assert abs(hits / studies - 0.05) <= 2.5 * se, hits / studies


def test_shaffer_divides_by_the_comparisons_still_open() -> None:
    """Two comparisons, four hypotheses: the smallest p is tested at alpha / 2 (not / 4); after
    both of the first comparison's hypotheses are rejected only one comparison is open."""
    diff, equiv = shaffer([0.01, 0.03], [0.012, 0.2])
    assert diff[0] == pytest.approx(0.02) and equiv[0] == pytest.approx(0.024)
    assert diff[1] == pytest.approx(0.03) and equiv[1] == pytest.approx(0.2)
    diff, equiv = shaffer([math.nan, 0.01], [math.nan, 0.5])
    assert math.isnan(diff[0]) and diff[1] == pytest.approx(0.01)
