"""LP-FT (Kumar et al., 2022): a linear probe first, then full fine-tuning from the probed head.

For `probe_epochs` epochs the encoder is frozen and only the head trains; afterwards everything
trains (one optimizer and lr schedule over the whole run). The frozen set changes, so the prefix
cache is off.
"""

from __future__ import annotations

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan

__all__ = ["apply"]


def apply(model: Classifier, probe_epochs: int = 1) -> StrategyPlan:
    if not isinstance(probe_epochs, int) or isinstance(probe_epochs, bool) or probe_epochs < 1:
        raise ConfigError(
            "strategy.probe_epochs", f"must be a whole number >= 1, got {probe_epochs!r}"
        )
    for p in model.parameters():  # everything trains eventually
        p.requires_grad_(True)

    def on_epoch(epoch: int) -> None:
        for p in model.encoder.parameters():
            p.requires_grad_(epoch > probe_epochs)

    return StrategyPlan(on_epoch=on_epoch, cacheable=False)
