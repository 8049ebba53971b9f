"""Helpers every strategy shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from harness.errors import ConfigError

__all__ = ["StrategyPlan", "check_k", "freeze_all", "train_head", "trainable_names"]


@dataclass(frozen=True)
class StrategyPlan:
    """What a strategy needs from the loop beyond `requires_grad` at the start (all optional).

    `apply` leaves every parameter that will *ever* train with requires_grad=True (the optimizer
    is built from that set); `on_step(step, max_steps)` may then freeze/unfreeze before each
    optimizer step (0-based). `lr_scale(name)` multiplies the learning rate per parameter.
    `settle_share`: no early stopping before this share of the step budget (a schedule that
    unfreezes must get to run). `probe_share`: the head trains at its own lr (`strategy.head_lr`)
    until this share of the budget, then at the body's lr (LP-FT). Strategies whose frozen set
    changes during training are not `cacheable`.
    """

    on_step: Callable[[int, int], None] | None = None
    lr_scale: Callable[[str], float] | None = None
    cacheable: bool = True
    settle_share: float = 0.0
    probe_share: float | None = None


def freeze_all(model: nn.Module) -> None:
    for p in model.parameters():
        p.requires_grad_(False)


def train_head(model: nn.Module) -> None:
    for p in model.head.parameters():  # type: ignore[union-attr]
        p.requires_grad_(True)


def trainable_names(model: nn.Module) -> list[str]:
    return [n for n, p in model.named_parameters() if p.requires_grad]


def check_k(k: object, low: int, high: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not low <= k <= high:
        raise ConfigError(
            "strategy.k", f"{k!r} is out of range for a model with these layers", f"{low}..{high}"
        )
    return k
