"""Learning-rate schedules as LambdaLR multipliers, all with linear warm-up.

Each takes the optimizer and the total number of optimizer steps (known only in code, so the
configs are `_partial_`). Not `transformers.get_scheduler`: its warm-up starts at lr 0 (step /
warmup, so the first step trains nothing) where ours starts at lr / warmup, and it has no step or
exponential decay; without warm-up its constant, linear and cosine are ours exactly
(tests/test_schedulers.py compares the sequences)."""

from __future__ import annotations

import math
from collections.abc import Callable

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

__all__ = ["constant", "cosine", "exponential", "linear", "step"]


def _with_warmup(
    optimizer: Optimizer, total: int, warmup_ratio: float, after: Callable[[float], float]
) -> LambdaLR:
    """`after(progress)` gives the multiplier for progress in [0, 1] after warm-up."""
    warmup = int(round(warmup_ratio * total))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        span = max(1, total - warmup)
        return after(min(1.0, (step - warmup) / span))

    return LambdaLR(optimizer, factor)


def constant(optimizer: Optimizer, num_training_steps: int, warmup_ratio: float = 0.0) -> LambdaLR:
    return _with_warmup(optimizer, num_training_steps, warmup_ratio, lambda _: 1.0)


def linear(optimizer: Optimizer, num_training_steps: int, warmup_ratio: float = 0.1) -> LambdaLR:
    return _with_warmup(optimizer, num_training_steps, warmup_ratio, lambda t: 1.0 - t)


def cosine(
    optimizer: Optimizer,
    num_training_steps: int,
    warmup_ratio: float = 0.1,
    min_lr_ratio: float = 0.0,
) -> LambdaLR:
    return _with_warmup(
        optimizer,
        num_training_steps,
        warmup_ratio,
        lambda t: min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * t)),
    )


def step(
    optimizer: Optimizer,
    num_training_steps: int,
    warmup_ratio: float = 0.0,
    num_drops: int = 2,
    gamma: float = 0.1,
) -> LambdaLR:
    """Multiply by gamma at progress 1/(num_drops+1), 2/(num_drops+1), ..."""
    return _with_warmup(
        optimizer,
        num_training_steps,
        warmup_ratio,
        lambda t: gamma ** min(num_drops, int(t * (num_drops + 1))),
    )


def exponential(
    optimizer: Optimizer,
    num_training_steps: int,
    warmup_ratio: float = 0.0,
    final_lr_ratio: float = 0.05,
) -> LambdaLR:
    return _with_warmup(optimizer, num_training_steps, warmup_ratio, lambda t: final_lr_ratio**t)
