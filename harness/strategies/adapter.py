"""Bottleneck adapters (Houlsby et al., 2019), implemented in-house + LayerNorms + the head.

In every layer, after the attention output projection and after the FFN output projection (so
before that sublayer's dropout, residual and LayerNorm), `x + up(act(down(x)))` with a
`bottleneck`-wide hidden layer (clamped to the hidden size). `up` starts at zero, so the model
starts exactly as the pretrained one. As in Houlsby et al., the LayerNorms (RMSNorms in Llama-
style decoders) train too. The projections are named per family (`Layout.adapter_sites`).
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

    def __init__(self, base_layer: nn.Module, bottleneck: int):
        super().__init__()
        self.base_layer = base_layer
        width = getattr(base_layer, "out_features", None) or getattr(base_layer, "nf")  # noqa: B009 - GPT-2's Conv1D
        self.adapter = Adapter(int(width), bottleneck)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base_layer(x))


def apply(model: Classifier, bottleneck: int = 32) -> None:
    if not isinstance(bottleneck, int) or isinstance(bottleneck, bool) or bottleneck < 1:
        raise ConfigError("strategy.bottleneck", f"must be a whole number >= 1, got {bottleneck!r}")
    width = min(bottleneck, int(model.encoder.config.hidden_size))
    sites = model.layout.adapter_sites
    if not sites:
        raise ConfigError(
            "strategy",
            f"adapter needs the attention and FFN output projections of the layers; the "
            f"{model.layout.family!r} layout does not name them: use lora or strategy=peft",
        )
    layer: Any
    for layer in model.layers:
        for name, module in list(layer.named_modules()):
            if any(name == s or name.endswith(f".{s}") for s in sites):
                parent, _, child = name.rpartition(".")
                owner = layer.get_submodule(parent) if parent else layer
                setattr(owner, child, AdaptedProjection(module, width))
    freeze_all(model)
    for module in model.encoder.modules():
        if isinstance(module, Adapter) or _is_norm(module):
            module.requires_grad_(True)
    train_head(model)


def _is_norm(module: nn.Module) -> bool:
    """LayerNorm and its relatives (RMSNorm) with their own weights."""
    own = any(True for _ in module.parameters(recurse=False))
    return own and "norm" in type(module).__name__.lower()
