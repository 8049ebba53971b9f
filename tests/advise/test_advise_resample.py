"""The paired, t-calibrated bootstrap of cell means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from harness.advise.resample import calibration, interval, paired_draws


def _runs(scores: dict[tuple[str, int], list[float]]) -> pd.DataFrame:
    rows = [
        {"strategy": s, "train_size": n, "seed": r, "data_seed": r, "score": v}
        for (s, n), values in scores.items()
        for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_calibration_stretches_to_the_t_interval() -> None:
    c = calibration(np.array([1, 3, 10]), 0.9)
    assert c[0] == 0.0  # one run: no spread to stretch
    assert c[1] == pytest.approx(np.sqrt(3 / 2) * stats.t.ppf(0.95, 2) / stats.norm.ppf(0.95))
    assert 1.1 < c[2] < 1.2


def test_draws_keep_the_pairing_across_strategies() -> None:
    # run effects of +-10 points shared by both strategies; b is always a + 1
    effects = [-10.0, 0.0, 10.0, 5.0, -5.0]
    runs = _runs({("a", 100): effects, ("b", 100): [e + 1 for e in effects]})
    cells = paired_draws(runs, ["a", "b"], [100], 2000, 0.9, np.random.default_rng(0))
    diff = cells.draws[:, 1, 0] - cells.draws[:, 0, 0]
    assert np.allclose(diff, 1.0)  # resampling run keys, not cells, keeps the difference exact
    assert cells.draws[:, 0, 0].std() > 3.0  # while each cell's mean does move
    assert cells.counts.tolist() == [[5], [5]]
    assert cells.means[:, 0] == pytest.approx([0.0, 1.0])


def test_sizes_are_resampled_independently() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    runs = _runs({("a", 100): values, ("a", 1000): values})
    cells = paired_draws(runs, ["a"], [100, 1000], 4000, 0.9, np.random.default_rng(1))
    r = np.corrcoef(cells.draws[:, 0, 0], cells.draws[:, 0, 1])[0, 1]
    assert abs(r) < 0.1


def test_a_cell_without_runs_is_nan_and_counts_zero() -> None:
    runs = _runs({("a", 100): [1.0, 2.0, 3.0], ("b", 1000): [4.0, 5.0, 6.0]})
    cells = paired_draws(runs, ["a", "b"], [100, 1000], 100, 0.9, np.random.default_rng(0))
    assert cells.counts.tolist() == [[3, 0], [0, 3]]
    assert np.isnan(cells.means[0, 1]) and np.isnan(cells.draws[:, 0, 1]).all()


def test_ninety_percent_intervals_of_three_runs_cover_about_ninety_percent() -> None:
    """What the calibration is for: with 3 runs the plain bootstrap covers far less."""
    rng = np.random.default_rng(3)
    covered = plain = 0
    sims = 400
    for _ in range(sims):
        runs = _runs({("a", 100): list(rng.normal(0.0, 1.0, 3))})
        cells = paired_draws(runs, ["a"], [100], 1000, 0.9, rng)
        low, high = interval(cells.draws[:, 0, 0], 0.9)
        covered += low <= 0.0 <= high
        stretch = calibration(np.array([3]), 0.9)[0]
        m = cells.means[0, 0]
        raw = m + (cells.draws[:, 0, 0] - m) / stretch
        low, high = interval(raw, 0.9)
        plain += low <= 0.0 <= high
    assert covered / sims >= 0.85
    assert plain / sims < 0.8


def test_interval_of_no_draws_is_nan() -> None:
    assert all(np.isnan(interval(np.array([np.nan]), 0.9)))
