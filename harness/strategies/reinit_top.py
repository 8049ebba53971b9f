"""Re-initialize the top k encoder layers, then fine-tune everything (Zhang et al., 2021).

The top layers of a pretrained encoder are specialised to its pretraining objective; resetting
them (the model's own `_init_weights`) can help small-data fine-tuning. The new weights are drawn
from the torch RNG, which the trial seeds with `seed` just before building the model, so the same
seed gives the same initialisation.
"""

from __future__ import annotations

import torch

from harness.models.classifier import Classifier
from harness.strategies._base import check_k

__all__ = ["apply"]


@torch.no_grad()
def apply(model: Classifier, k: int = 1) -> None:
    n = model.num_layers
    check_k(k, 1, n)
    for layer in model.layers[n - k :]:
        for p in layer.parameters():  # transformers skips tensors it marks as loaded
            if getattr(p, "_is_hf_initialized", False):
                p._is_hf_initialized = False  # type: ignore[attr-defined]
        for module in layer.modules():
            model.encoder._init_weights(module)
    for p in model.parameters():
        p.requires_grad_(True)
