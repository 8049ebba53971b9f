"""BitFit (Ben Zaken et al., 2022): only the encoder's bias terms + the head train."""

from __future__ import annotations

from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head


def apply(model: Classifier) -> None:
    freeze_all(model)
    for name, p in model.encoder.named_parameters():
        if name.endswith(".bias"):
            p.requires_grad_(True)
    train_head(model)
