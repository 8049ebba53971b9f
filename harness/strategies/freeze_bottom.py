"""Freeze the embeddings + the bottom k layers; the layers above and the head train."""

from __future__ import annotations

from harness.models.classifier import Classifier
from harness.strategies._base import check_k, freeze_all, train_head


def apply(model: Classifier, k: int = 2) -> None:
    n = model.num_layers
    check_k(k, 0, n - 1)
    freeze_all(model)
    for layer in model.layers[k:]:
        for p in layer.parameters():
            p.requires_grad_(True)
    train_head(model)
