"""Calibration by simulation: the sequential rule's false verdicts stay within alpha.

Studies draw paired differences (points) from known normals — equal means, a 1-point and a
3-point true gap, per-seed sd 1–4 points — and add seeds one at a time from 3 to 12 while the
verdict is undecided, exactly as the sweep does. Pure numpy/scipy; a few seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from harness.report.sequential import SeedPlan, sequential_p, sequential_verdict

PLAN = SeedPlan(min_n=3, max_n=12)
MARGIN, ALPHA = 1.0, 0.05
STUDIES = 1_000
TOLERANCE = ALPHA + 2.5 * math.sqrt(ALPHA * (1 - ALPHA) / STUDIES)  # 5 % + Monte-Carlo error


def _run_studies(gap: float, seed: int) -> dict[str, float]:
    """Share of studies ending in each verdict under optional stopping."""
    rng = np.random.default_rng(seed)
    counts = {"better": 0, "worse": 0, "equivalent": 0, "undecided": 0}
    for study in range(STUDIES):
        sd = 1.0 + 3.0 * (study % 4) / 3  # 1, 2, 3, 4 points in turn
        diffs = list(rng.normal(gap, sd, size=PLAN.max_n))
        for n in range(PLAN.min_n, PLAN.max_n + 1):
            verdict = sequential_verdict(diffs[:n], PLAN, MARGIN, ALPHA).verdict
            if verdict != "undecided":
                break
        counts[verdict] += 1
    return {k: v / STUDIES for k, v in counts.items()}


def test_equal_means_rarely_called_better_or_worse() -> None:
    rates = _run_studies(0.0, seed=1)
    assert rates["better"] + rates["worse"] <= TOLERANCE, rates


@pytest.mark.parametrize("gap", [1.0, 3.0])
def test_a_real_gap_is_rarely_called_equivalent_or_reversed(gap: float) -> None:
    rates = _run_studies(gap, seed=int(gap) + 10)
    assert rates["equivalent"] <= TOLERANCE, rates
    assert rates["worse"] <= TOLERANCE / 2, rates


def test_a_large_gap_with_small_sd_is_found() -> None:
    rng = np.random.default_rng(3)
    found = [
        sequential_verdict(list(rng.normal(3.0, 1.0, size=12)), PLAN, MARGIN, ALPHA).verdict
        for _ in range(50)
    ]
    assert found.count("better") >= 45


def test_sequential_p_is_uniform_enough_under_the_null() -> None:
    """The boundary's own null check: the smallest sequential p over all looks is ≤ alpha
    in about alpha of null studies (no stopping bias)."""
    rng = np.random.default_rng(4)
    looks = PLAN.looks(PLAN.min_n)
    hits = 0
    for _ in range(STUDIES):
        d = rng.normal(0.0, 2.0, size=PLAN.max_n)
        p_min = 1.0
        for n in looks:
            x = d[:n]
            t = x.mean() / (x.std(ddof=1) / math.sqrt(n))
            p_min = min(p_min, sequential_p(float(2 * stats.t.sf(abs(t), n - 1)), looks))
        hits += p_min <= ALPHA
    assert abs(hits / STUDIES - ALPHA) <= 2.5 * math.sqrt(ALPHA * (1 - ALPHA) / STUDIES)
