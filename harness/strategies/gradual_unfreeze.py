"""Gradual unfreezing (Howard & Ruder, 2018, ULMFiT): train from the top down.

Epoch 1 trains the head + the top encoder layer; every `every_epochs` epochs one more layer
below is unfrozen, the embeddings last. Stages only ever unfreeze, so what trains at the end is
everything that trained at all. The frozen set changes, so the prefix cache is off.
"""

from __future__ import annotations

from torch import nn

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan

__all__ = ["apply", "stages"]


def stages(model: Classifier) -> list[nn.Module]:
    """Blocks in unfreezing order: the top layer first, the embeddings last."""
    return [*reversed(list(model.layers)), model.encoder.embeddings]


def apply(model: Classifier, every_epochs: int = 1) -> StrategyPlan:
    if not isinstance(every_epochs, int) or isinstance(every_epochs, bool) or every_epochs < 1:
        raise ConfigError(
            "strategy.every_epochs", f"must be a whole number >= 1, got {every_epochs!r}"
        )
    for p in model.parameters():  # everything may train (the optimizer is built from this set)
        p.requires_grad_(True)
    blocks = stages(model)

    def on_epoch(epoch: int) -> None:
        unfrozen = 1 + (epoch - 1) // every_epochs  # blocks from the top that train this epoch
        for i, block in enumerate(blocks):
            for p in block.parameters():
                p.requires_grad_(i < unfrozen)

    return StrategyPlan(on_epoch=on_epoch, cacheable=False)
