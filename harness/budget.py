"""A trial's training budget in optimizer steps: batch size, step ceiling and floor, evaluation
interval; epochs follow from steps. And the per-step hook a strategy's schedule needs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from torch.optim.lr_scheduler import LRScheduler

from harness.config import TrainSpec
from harness.optim import set_head_lr
from harness.strategies import StrategyPlan

__all__ = ["EVALS_PER_RUN", "Budget", "auto_batch_size", "plan_budget", "step_hook"]

EVALS_PER_RUN = 15  # `eval_every_steps: auto`: about this many validation evaluations per run


@dataclass(frozen=True)
class Budget:
    batch_size: int
    max_steps: int
    min_steps: int  # no early stopping before this step
    eval_every: int
    eval_from: int  # no evaluation before this step but the last (`train.eval_from_step`)
    steps_per_epoch: int
    stop_at: int | None = None  # last step run (`train.stop_step`); the schedule spans max_steps

    @property
    def epochs(self) -> int:
        """Data passes the step budget implies (the last may be partial)."""
        return math.ceil(self.max_steps / self.steps_per_epoch)


def auto_batch_size(train_size: int) -> int:
    """The power of two nearest train_size / 8, clipped to [8, 32]: 16 at 100 examples, 32 from
    ~200: a small training set still gets enough optimizer steps per epoch to be evaluated often."""
    return int(min(32, max(8, 2 ** round(math.log2(max(train_size, 1) / 8)))))


def plan_budget(train: TrainSpec, train_size: int, train_len: int, plan: StrategyPlan) -> Budget:
    """Steps from `train.max_steps` (or whole `train.epochs`); evaluation ~EVALS_PER_RUN times
    (once per epoch with `epochs`), from `train.eval_from_step` on (`min_steps`: from the floor);
    early stopping not before `min_steps` nor before the strategy's schedule has settled."""
    batch = train.batch_size or auto_batch_size(train_size)
    per_epoch = math.ceil(train_len / batch)
    max_steps = train.epochs * per_epoch if train.epochs else train.max_steps
    default_every = per_epoch if train.epochs else max(1, round(max_steps / EVALS_PER_RUN))
    settle = math.ceil(plan.settle_share * max_steps)
    min_steps = min(max_steps, max(train.min_steps if not train.epochs else 0, settle))
    return Budget(
        batch_size=batch,
        max_steps=max_steps,
        min_steps=min_steps,
        eval_every=train.eval_every_steps or default_every,
        eval_from=min_steps if train.eval_from_step is None else train.eval_from_step,
        steps_per_epoch=per_epoch,
        stop_at=min(train.stop_step, max_steps) if train.stop_step is not None else None,
    )


def step_hook(
    plan: StrategyPlan, budget: Budget, scheduler: LRScheduler, body_lr: float
) -> Callable[[int], None] | None:
    """What runs before each optimizer step: the strategy's schedule, and LP-FT's switch of the
    head from the probe's lr to the body's at the end of the probe."""
    switch_at = (
        math.ceil(plan.probe_share * budget.max_steps) if plan.probe_share is not None else None
    )
    if plan.on_step is None and switch_at is None:
        return None

    def hook(step: int) -> None:
        if plan.on_step is not None:
            plan.on_step(step, budget.max_steps)
        if step == switch_at:
            set_head_lr(scheduler, body_lr)

    return hook
