"""Top-k: only the top k encoder layers + head train; embeddings and lower layers are frozen."""

from __future__ import annotations

from harness.models.classifier import Classifier
from harness.strategies._base import check_k, freeze_all, train_head


def apply(model: Classifier, k: int = 2) -> None:
    n = model.num_layers
    check_k(k, 1, n)
    freeze_all(model)
    for layer in model.layers[n - k :]:
        for p in layer.parameters():
            p.requires_grad_(True)
    train_head(model)
