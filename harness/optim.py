"""Optimizer parameter groups: weight decay on weights only, never on biases or LayerNorm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

__all__ = ["param_groups"]


def _no_decay(name: str, param: nn.Parameter) -> bool:
    return param.ndim < 2 or name.endswith(".bias") or "LayerNorm" in name or "layer_norm" in name


def param_groups(
    model: nn.Module, weight_decay: float, lr: float, lr_scale: Callable[[str], float] | None = None
) -> list[dict[str, Any]]:
    """Trainable parameters grouped by (decayed?, lr multiplier). AdamW decouples the decay;
    Adam/SGD/RMSprop add it as L2. `lr_scale` gives per-parameter multipliers (e.g. LLRD)."""
    groups: dict[tuple[bool, float], list[nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            key = (not _no_decay(name, p), lr_scale(name) if lr_scale else 1.0)
            groups.setdefault(key, []).append(p)
    return [
        {"params": params, "weight_decay": weight_decay if decay else 0.0, "lr": lr * scale}
        for (decay, scale), params in sorted(
            groups.items(), key=lambda kv: (not kv[0][0], -kv[0][1])
        )
    ]
