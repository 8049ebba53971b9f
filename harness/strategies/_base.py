"""Helpers every strategy shares."""

from __future__ import annotations

from torch import nn

from harness.errors import ConfigError

__all__ = ["check_k", "freeze_all", "train_head", "trainable_names"]


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
