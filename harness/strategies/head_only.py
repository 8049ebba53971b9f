"""Linear probe: the encoder is frozen, only the head trains."""

from __future__ import annotations

from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head


def apply(model: Classifier) -> None:
    freeze_all(model)
    train_head(model)
