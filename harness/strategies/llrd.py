"""Layer-wise learning-rate decay (Howard & Ruder, 2018; Clark et al., 2020): everything trains,
lower layers more slowly.

The lr of a parameter is multiplied by `decay ** depth`, depth counted from the top: the head 1,
the top encoder layer (and a final norm) `decay`, the one below `decay**2`, ..., the embeddings
`decay ** (num_layers + 1)`.
"""

from __future__ import annotations

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan

__all__ = ["apply", "lr_scales"]


def lr_scales(model: Classifier, decay: float) -> dict[str, float]:
    """lr multiplier per parameter name; parameters outside the backbone (the head) get 1."""
    n = model.num_layers
    # the embeddings, and any backbone tensor outside the layers (ALBERT's embedding projection)
    depth = {id(p): n + 1 for p in model.encoder.parameters()}
    for i, layer in enumerate(model.layers):
        depth.update({id(p): n - i for p in layer.parameters()})
    if model.final_norm is not None:
        depth.update({id(p): 1 for p in model.final_norm.parameters()})
    return {name: decay ** depth.get(id(p), 0) for name, p in model.named_parameters()}


def apply(model: Classifier, decay: float = 0.95) -> StrategyPlan:
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 < decay <= 1:
        raise ConfigError("strategy.decay", f"must be in (0, 1], got {decay!r}")
    for p in model.parameters():
        p.requires_grad_(True)
    scales = lr_scales(model, float(decay))
    return StrategyPlan(lr_scale=lambda name: scales.get(name, 1.0))
