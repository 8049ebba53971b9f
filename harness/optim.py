"""Optimizer parameter groups: weight decay on weights only, never on biases or LayerNorm; the
head may have its own learning rate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn
from torch.optim.lr_scheduler import LRScheduler

__all__ = ["param_groups", "set_head_lr"]


def _no_decay(name: str, param: nn.Parameter) -> bool:
    return param.ndim < 2 or name.endswith(".bias") or "LayerNorm" in name or "layer_norm" in name


def param_groups(
    model: nn.Module,
    weight_decay: float,
    lr: float,
    lr_scale: Callable[[str], float] | None = None,
    head_lr: float | None = None,
) -> list[dict[str, Any]]:
    """Trainable parameters grouped by (decayed?, lr multiplier, head?). AdamW decouples the
    decay; Adam/SGD/RMSprop add it as L2. `lr_scale` gives per-parameter multipliers (e.g. LLRD);
    `head_lr` is the head's own lr (adapters and a fresh head want different rates)."""
    groups: dict[tuple[bool, float, bool], list[nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            is_head = head_lr is not None and name.startswith("head.")
            scale = lr_scale(name) if lr_scale else 1.0
            groups.setdefault((not _no_decay(name, p), scale, is_head), []).append(p)
    return [
        {
            "params": params,
            "weight_decay": weight_decay if decay else 0.0,
            "lr": (head_lr if is_head and head_lr is not None else lr) * scale,
            "head": is_head,
        }
        for (decay, scale, is_head), params in sorted(
            groups.items(), key=lambda kv: (not kv[0][0], -kv[0][1], kv[0][2])
        )
    ]


def set_head_lr(scheduler: LRScheduler, lr: float) -> None:
    """Move the head's groups to `lr` mid-run (LP-FT's switch from probe to fine-tuning): the
    schedule's base lr and the current lr, keeping the schedule's current factor."""
    optimizer = scheduler.optimizer
    for i, group in enumerate(optimizer.param_groups):
        if group.get("head"):
            factor = group["lr"] / scheduler.base_lrs[i] if scheduler.base_lrs[i] else 1.0
            scheduler.base_lrs[i] = lr
            group["initial_lr"], group["lr"] = lr, lr * factor
