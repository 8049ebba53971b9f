"""Gradual unfreezing (Howard & Ruder, 2018, ULMFiT): train from the top down.

ULMFiT unfreezes one layer per epoch; with a budget in optimizer steps the same schedule is laid
over the steps: the head + the top encoder layer train from step 0, and the blocks below are
unfrozen at evenly spaced steps so that the embeddings (last) unfreeze at `unfreeze_share` of
the budget. Every block then trains for the rest of the run, and early stopping waits until
the schedule is complete. Stages only ever unfreeze. The frozen set changes: no prefix cache.
"""

from __future__ import annotations

from torch import nn

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan

__all__ = ["apply", "stages", "unfrozen_blocks"]


def stages(model: Classifier) -> list[nn.Module]:
    """Blocks in unfreezing order: the top layer (with the final norm) first, the embeddings last
    (with any backbone tensor outside the layers, e.g. ALBERT's embedding projection)."""
    blocks: list[nn.Module] = list(reversed(list(model.layers)))
    if model.final_norm is not None and blocks:
        blocks[0] = nn.ModuleList([blocks[0], model.final_norm])
    placed = {id(p) for b in blocks for p in b.parameters()}
    bottom = nn.ModuleList(model.embedding_modules)
    placed |= {id(p) for p in bottom.parameters()}
    rest = [p for p in model.encoder.parameters() if id(p) not in placed]
    return [*blocks, nn.ModuleList([bottom, _Holder(rest)])]


class _Holder(nn.Module):
    """Tensors that belong to no block, held (not copied) so they unfreeze with one."""

    def __init__(self, params: list[nn.Parameter]):
        super().__init__()
        self.params = nn.ParameterList(params)


def unfrozen_blocks(step: int, max_steps: int, n_blocks: int, share: float) -> int:
    """How many blocks (from the top) train at `step`: 1 at step 0, all from share x max_steps."""
    if n_blocks <= 1:
        return n_blocks
    interval = share * max_steps / (n_blocks - 1)
    return min(n_blocks, 1 + int(step // interval) if interval > 0 else n_blocks)


def apply(model: Classifier, unfreeze_share: float = 0.5) -> StrategyPlan:
    if (
        isinstance(unfreeze_share, bool)
        or not isinstance(unfreeze_share, (int, float))
        or not 0 <= unfreeze_share < 1
    ):
        raise ConfigError("strategy.unfreeze_share", f"must be in [0, 1), got {unfreeze_share!r}")
    for p in model.parameters():  # everything may train (the optimizer is built from this set)
        p.requires_grad_(True)
    blocks = stages(model)
    state = {"unfrozen": -1}

    def on_step(step: int, max_steps: int) -> None:
        unfrozen = unfrozen_blocks(step, max_steps, len(blocks), float(unfreeze_share))
        if unfrozen == state["unfrozen"]:
            return
        state["unfrozen"] = unfrozen
        for i, block in enumerate(blocks):
            for p in block.parameters():
                p.requires_grad_(i < unfrozen)

    return StrategyPlan(on_step=on_step, cacheable=False, settle_share=float(unfreeze_share))
