"""Cost at N: log-log interpolation of time and memory; parameters and checkpoint as measured."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from harness.advise.cost import cost_at


def _runs(times: dict[int, list[float]], params: float = 1000.0) -> pd.DataFrame:
    rows = [
        {
            "train_size": n,
            "train_time_s": t,
            "wall_time_s": t + 5.0,
            "peak_memory_mb": 100.0 * n**0.5,
            "trainable_params": params,
            "checkpoint_mb": params * 4 / 2**20,
        }
        for n, values in times.items()
        for t in values
    ]
    return pd.DataFrame(rows)


def test_a_power_law_in_time_is_interpolated_exactly() -> None:
    runs = _runs({100: [10.0, 10.0], 1000: [100.0, 100.0]})  # time = n / 10
    cost = cost_at(runs, 300)
    assert cost.train_time_s == pytest.approx(30.0)
    assert cost.peak_memory_mb == pytest.approx(100.0 * 300**0.5)


def test_extrapolated_time_stays_positive() -> None:
    runs = _runs({100: [50.0], 1000: [10.0]})  # a cost that falls with n (plateau stopping)
    assert cost_at(runs, 10).train_time_s > 0
    assert cost_at(runs, 100_000).train_time_s > 0


def test_cell_means_are_used_and_parameters_do_not_depend_on_n() -> None:
    runs = _runs({100: [8.0, 12.0], 1000: [90.0, 110.0]}, params=74_498)
    cost = cost_at(runs, 100)
    assert cost.train_time_s == pytest.approx(10.0)
    assert cost.wall_time_s == pytest.approx(15.0)
    assert cost.trainable_params == 74_498
    assert cost.checkpoint_mb == pytest.approx(74_498 * 4 / 2**20)


def test_missing_measurements_are_nan_not_zero() -> None:
    runs = _runs({100: [10.0]})
    runs["peak_memory_mb"] = math.nan
    assert math.isnan(cost_at(runs, 100).peak_memory_mb)
