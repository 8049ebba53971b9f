"""Calibration by simulation of the analysis as the sweep and the report run it: block model with
the variance check, group-sequential looks as runs are added where undecided, a budget that ends
after 0-3 added draws, Shaffer within the size. Every error rate — any false 'better/worse' or
'equivalent' at a size — stays within alpha plus Monte-Carlo error, also when run noise is
unequal across strategies or heavy-tailed; a naive rule fails the same check."""

from __future__ import annotations

import math

import pytest
from calibration import ALPHA, Truth, error_rate, naive_paired

STUDIES = 400
TOLERANCE = ALPHA + 2.5 * math.sqrt(ALPHA * (1 - ALPHA) / STUDIES)  # 5 % + Monte-Carlo error

EQUAL = [1.5] * 5
UNEQUAL = [4.5, 2.9, 2.9, 2.1, 0.8]  # full noisiest, as at 100 examples in the default study
CASES = {
    "no differences": Truth([0, 0, 0, 0], EQUAL),
    "no differences, unequal variances": Truth([0, 0, 0, 0], UNEQUAL),
    "no differences, heavy tails": Truth([0, 0, 0, 0], EQUAL, tails="t3"),
    "gaps at the margin": Truth([2, -2, 2, -2], EQUAL),
    "gaps at the margin, unequal variances": Truth([2, -2, 2, -2], UNEQUAL),
    "gaps at the margin, heavy tails": Truth([2, -2, 2, -2], EQUAL, tails="t3"),
}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", list(CASES))
def test_any_false_verdict_stays_within_alpha(name: str) -> None:
    rate = error_rate(CASES[name], STUDIES, seed=sorted(CASES).index(name))
    assert rate <= TOLERANCE, f"{name}: {rate:.3f} > {TOLERANCE:.3f}"


@pytest.mark.parametrize("name", ["no differences", "gaps at the margin"])
def test_a_naive_rule_fails_the_same_check(name: str) -> None:
    """Unadjusted paired t-test and TOST at every look: the check must be able to fail."""
    rate = error_rate(CASES[name], STUDIES, seed=99, rule=naive_paired)
    assert rate > TOLERANCE, f"{name}: naive rule only {rate:.3f}"
