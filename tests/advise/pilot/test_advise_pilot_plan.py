"""plan_pilot: the largest pilot that fits the budget, sized from measured costs (pure)."""

from __future__ import annotations

import pytest

from harness.advise.pilot.plan import (
    MIN_SEEDS,
    PARALLEL_EFFICIENCY,
    PILOT_STRATEGIES,
    PilotPlan,
    TrialCost,
    plan_pilot,
    smaller_size,
)
from harness.errors import ConfigError

# roughly MiniLM on a 2-core CPU (the default study's records: a full run of 240 steps ~55 s)
COSTS = {
    "full": TrialCost(step_s=0.20, eval_s=0.35, fixed_s=5.0),
    "lora": TrialCost(step_s=0.18, eval_s=0.35, fixed_s=5.5),
    "bitfit": TrialCost(step_s=0.17, eval_s=0.35, fixed_s=5.0),
    "head_only": TrialCost(step_s=0.002, eval_s=0.02, fixed_s=2.0, cache_s=10.0),
}
SIZES = [200, 600]


def _wall(plan: PilotPlan, seeds: int | None = None, start_s: float = 0.0) -> float:
    """The plan's wall time, recomputed by hand."""
    runs = plan.n_trials + (plan.seeds if seeds is None else seeds)
    work = sum(
        len(plan.sizes) * (runs * COSTS[s].run_s(plan.max_steps) + COSTS[s].cache_s)
        for s in plan.strategies
    )
    return start_s + work / (plan.workers * (1.0 if plan.workers == 1 else PARALLEL_EFFICIENCY))


def test_a_run_costs_its_steps_its_validations_and_its_fixed_part() -> None:
    assert TrialCost(step_s=0.5, eval_s=2.0, fixed_s=10.0).run_s(100) == 10.0 + 50.0 + 15 * 2.0


def test_a_generous_budget_buys_the_full_plan() -> None:
    plan = plan_pilot(10 * 3600, COSTS, SIZES, workers=2)
    assert (plan.max_steps, plan.n_trials, plan.seeds) == (240, 4, 10)
    assert plan.strategies == PILOT_STRATEGIES and plan.sizes == (200, 600) and plan.cells == 8


@pytest.mark.parametrize("minutes", [12, 20, 30, 45])
def test_the_plan_fits_and_is_the_largest_that_does(minutes: int) -> None:
    available = minutes * 60.0
    plan = plan_pilot(available, COSTS, SIZES, workers=2, start_s=30.0)
    assert plan.estimate_s == pytest.approx(_wall(plan, start_s=30.0))
    assert plan.estimate_s <= available
    if plan.seeds < 10:  # one more confirmation run per cell would not fit
        assert _wall(plan, plan.seeds + 1, start_s=30.0) > available
    assert plan.seeds >= MIN_SEEDS


def test_more_budget_never_buys_less() -> None:
    plans = [plan_pilot(m * 60.0, COSTS, SIZES, workers=2) for m in range(10, 90, 2)]
    keys = [(p.max_steps, p.n_trials, p.seeds) for p in plans]
    assert keys == sorted(keys)


def test_a_tight_budget_shortens_the_runs_before_giving_up() -> None:
    plan = plan_pilot(11 * 60.0, COSTS, SIZES, workers=2)
    assert plan.max_steps < 240 and plan.seeds >= MIN_SEEDS


def test_two_workers_fit_more_than_one() -> None:
    one = plan_pilot(20 * 60.0, COSTS, SIZES, workers=1)
    two = plan_pilot(20 * 60.0, COSTS, SIZES, workers=2)
    assert (two.max_steps, two.n_trials, two.seeds) > (one.max_steps, one.n_trials, one.seeds)


def test_too_small_a_budget_names_it_and_says_what_would_fit() -> None:
    with pytest.raises(
        ConfigError, match=r"^--budget: too small on this machine.*needs about \d+ min"
    ):
        plan_pilot(60.0, COSTS, SIZES, workers=2)


def test_every_strategy_needs_a_measured_cost() -> None:
    with pytest.raises(ValueError, match="head_only"):
        plan_pilot(3600.0, {k: v for k, v in COSTS.items() if k != "head_only"}, SIZES)


def test_the_nested_smaller_size_is_a_third() -> None:
    assert smaller_size(600) == 200
    assert smaller_size(30) == 16
    assert smaller_size(16) is None
