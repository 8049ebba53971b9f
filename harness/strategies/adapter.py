"""Bottleneck adapters (Houlsby et al., 2019), implemented in-house + LayerNorms + the head.

In every layer, after the attention output projection and after the FFN output projection (so
before that sublayer's dropout, residual and LayerNorm), `x + up(act(down(x)))` with a
`bottleneck`-wide hidden layer (clamped to the hidden size). `up` starts at zero, so the model
starts exactly as the pretrained one. As in Houlsby et al., the LayerNorms train too.
(The `adapters` library is not used: it pins an older transformers.)
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head

__all__ = ["Adapter", "AdaptedProjection", "apply"]


class Adapter(nn.Module):
    """x + up(GELU(down(x))), up zero-initialised: the identity at the start."""

    def __init__(self, hidden_size: int, bottleneck: int):
        super().__init__()
        self.down = nn.Linear(hidden_size, bottleneck)
        self.act = nn.GELU()
        self.up = nn.Linear(bottleneck, hidden_size)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.up(self.act(self.down(x)))


class AdaptedProjection(nn.Module):
    """A pretrained projection followed by an adapter. `base_layer` keeps the pretrained weights'
    names recoverable (as PEFT does), so drift metrics still compare them."""

    def __init__(self, base_layer: nn.Linear, bottleneck: int):
        super().__init__()
        self.base_layer = base_layer
        self.adapter = Adapter(base_layer.out_features, bottleneck)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base_layer(x))


def apply(model: Classifier, bottleneck: int = 32) -> None:
    if not isinstance(bottleneck, int) or isinstance(bottleneck, bool) or bottleneck < 1:
        raise ConfigError("strategy.bottleneck", f"must be a whole number >= 1, got {bottleneck!r}")
    width = min(bottleneck, int(model.encoder.config.hidden_size))
    layer: Any
    if model.layout.style != "bert":
        raise ConfigError(
            "strategy",
            f"adapter places its bottlenecks in BERT-style layers (attention.output, output); "
            f"the {model.layout.family!r} family has none: use lora or strategy=peft",
        )
    for layer in model.layers:
        for block in (layer.attention.output, layer.output):  # attention and FFN output projections
            block.dense = AdaptedProjection(block.dense, width)
    freeze_all(model)
    for module in model.encoder.modules():
        if isinstance(module, (Adapter, nn.LayerNorm)):
            module.requires_grad_(True)
    train_head(model)
