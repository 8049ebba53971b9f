"""Accuracy and macro-F1 from predictions, computed in torch (no sklearn dependency)."""

from __future__ import annotations

import torch

__all__ = ["accuracy", "macro_f1"]


def accuracy(preds: torch.Tensor, labels: torch.Tensor) -> float:
    return float((preds == labels).float().mean()) if labels.numel() else float("nan")


def macro_f1(preds: torch.Tensor, labels: torch.Tensor, num_labels: int) -> float:
    """Unweighted mean of per-class F1 over all classes (absent classes score 0, as sklearn does)."""
    f1s = []
    for c in range(num_labels):
        tp = int(((preds == c) & (labels == c)).sum())
        fp = int(((preds == c) & (labels != c)).sum())
        fn = int(((preds != c) & (labels == c)).sum())
        denom = 2 * tp + fp + fn
        f1s.append(2 * tp / denom if denom else 0.0)
    return sum(f1s) / num_labels
