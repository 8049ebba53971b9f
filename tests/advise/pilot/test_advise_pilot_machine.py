"""A probe trial's record split into the costs the plan needs."""

from __future__ import annotations

import pytest

from harness.advise.pilot.machine import costs_from_record


def test_a_probe_record_splits_into_step_validation_run_and_cache_costs() -> None:
    rec = {
        "optimizer_steps": 8,
        "train_time_s": 6.0,
        "eval_time_s": 1.0,
        "cache_share_s": 1.0,
        "cache_build_s": 1.0,
        "wall_time_s": 10.0,
        "history": [{"step": 8}],
    }
    cost = costs_from_record(rec)
    assert cost.step_s == pytest.approx(0.5)  # (6 - 1 validating - 1 cache) / 8 steps
    assert cost.eval_s == pytest.approx(1.0)
    assert cost.fixed_s == pytest.approx(4.0)  # load, tokenize, test evaluation
    assert cost.cache_s == pytest.approx(1.0)


def test_missing_parts_count_as_zero() -> None:
    cost = costs_from_record({"optimizer_steps": 4, "train_time_s": 2.0, "wall_time_s": 3.0})
    assert (cost.step_s, cost.eval_s, cost.fixed_s, cost.cache_s) == (0.5, 0.0, 1.0, 0.0)
