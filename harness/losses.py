"""Classification losses: `loss(logits, labels) -> scalar`, built from `conf/loss/`."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

__all__ = ["LossFn", "cross_entropy"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cross_entropy(label_smoothing: float = 0.0, class_counts: list[int] | None = None) -> LossFn:
    """Cross-entropy with optional label smoothing (class counts unused: plain CE)."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits.float(), labels, label_smoothing=label_smoothing)

    return loss
