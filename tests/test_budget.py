"""The step budget: batch size by train size, steps from max_steps or whole epochs, evaluation
interval, the early-stopping floor, and the per-step hook of scheduled strategies."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from harness.budget import EVALS_PER_RUN, auto_batch_size, plan_budget, step_hook
from harness.config import load_spec
from harness.optim import param_groups
from harness.strategies import StrategyPlan


@pytest.mark.parametrize(
    ("train_size", "batch"), [(10, 8), (64, 8), (100, 16), (300, 32), (1000, 32), (50_000, 32)]
)
def test_auto_batch_size_shrinks_for_small_sets(train_size: int, batch: int) -> None:
    assert auto_batch_size(train_size) == batch


def test_steps_budget_and_auto_evaluation_interval() -> None:
    train = load_spec(["model=tiny", "train.max_steps=300", "train.min_steps=60"]).train
    b = plan_budget(train, 100, 100, StrategyPlan())
    assert (b.batch_size, b.max_steps, b.min_steps, b.steps_per_epoch) == (16, 300, 60, 7)
    assert b.eval_every == round(300 / EVALS_PER_RUN) and b.epochs == 43  # ceil(300 / 7)


def test_whole_epochs_evaluate_once_per_epoch_without_a_step_floor() -> None:
    train = load_spec(["model=tiny", "train.epochs=3", "train.batch_size=16"]).train
    b = plan_budget(train, 48, 48, StrategyPlan())
    assert (b.max_steps, b.eval_every, b.min_steps, b.epochs, b.eval_from) == (9, 3, 0, 3, 0)


def test_evaluation_starts_where_told_or_at_the_step_floor() -> None:
    """Default 0 (from the start); `min_steps` follows the floor, a strategy's settling included."""
    base = ["model=tiny", "train.max_steps=200", "train.min_steps=40"]
    assert plan_budget(load_spec(base).train, 300, 300, StrategyPlan()).eval_from == 0
    floor = load_spec([*base, "train.eval_from_step=min_steps"]).train
    assert plan_budget(floor, 300, 300, StrategyPlan()).eval_from == 40
    settled = plan_budget(floor, 300, 300, StrategyPlan(settle_share=0.5))
    assert settled.eval_from == settled.min_steps == 100
    told = load_spec([*base, "train.eval_from_step=7"]).train
    assert plan_budget(told, 300, 300, StrategyPlan()).eval_from == 7


def test_a_schedule_that_unfreezes_delays_early_stopping() -> None:
    train = load_spec(["model=tiny", "train.max_steps=200", "train.min_steps=10"]).train
    b = plan_budget(train, 300, 300, StrategyPlan(settle_share=0.5))
    assert b.min_steps == 100


def test_lp_ft_hook_moves_the_head_to_the_body_lr_at_the_end_of_the_probe() -> None:
    model = torch.nn.Module()
    model.body = torch.nn.Linear(2, 2)
    model.head = torch.nn.Linear(2, 2)
    opt = torch.optim.AdamW(param_groups(model, 0.0, 1e-4, head_lr=1e-2))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    train = load_spec(["model=tiny", "train.max_steps=10", "train.min_steps=0"]).train
    plan = StrategyPlan(probe_share=0.3)
    hook = step_hook(plan, plan_budget(train, 100, 100, plan), sched, body_lr=1e-4)
    assert hook is not None
    head_lrs = []
    for step in range(10):
        hook(step)
        opt.step()
        sched.step()
        head_lrs.append(next(g["lr"] for g in opt.param_groups if g["head"]))
    assert head_lrs[:2] == [pytest.approx(1e-2)] * 2 and head_lrs[3:] == [pytest.approx(1e-4)] * 7
    assert dataclasses.replace(plan, probe_share=None).probe_share is None
