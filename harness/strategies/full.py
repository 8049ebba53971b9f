"""Full fine-tuning: every parameter trains."""

from __future__ import annotations

from harness.models.classifier import Classifier


def apply(model: Classifier) -> None:
    for p in model.parameters():
        p.requires_grad_(True)
