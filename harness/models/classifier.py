"""Backbone + head, run layer by layer so a frozen prefix can be skipped with cached outputs."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from harness.models import backbone as bb
from harness.models.heads import Head
from harness.models.layouts import Layout, find, layout_for

__all__ = ["Classifier", "has_trainable", "set_train_mode"]


class Classifier(nn.Module):
    """A Hugging Face backbone (any family, see `layouts`) and a pooled classification head.

    `forward` accepts the raw tokens, or the cached output of the frozen prefix: hidden states
    after layer `start` (`hidden`), or the pooled features when the whole backbone is frozen.
    An optional `prompt` module (prompt tuning) inserts learned vectors after the first token's
    embedding: they are always attended to, and pooling skips them. A causal model's first token
    has seen nothing else, so its `cls` pooling takes the last real token instead.
    """

    def __init__(self, encoder: nn.Module, head: Head):
        super().__init__()
        self.encoder: Any = encoder  # a transformers PreTrainedModel (AutoModel)
        self.head = head
        self.prompt: nn.Module | None = None  # [B, L, H] -> [B, L + n, H], set by a strategy
        self.layout: Layout = layout_for(encoder)
        if self.layout.causal and head.pooling == "cls":
            head.pooling = "last"

    @property
    def layers(self) -> nn.ModuleList:
        return bb.layer_list(self.encoder, self.layout)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def embedding_modules(self) -> list[nn.Module]:
        """The modules before the first layer (token/position embeddings, ELECTRA's projection)."""
        found = [find(self.encoder, p) for p in self.layout.embeddings]
        modules = [m for m in found if isinstance(m, nn.Module)]
        return modules or [self.encoder.get_input_embeddings()]

    @property
    def final_norm(self) -> nn.Module | None:
        return find(self.encoder, self.layout.final_norm)  # type: ignore[no-any-return]

    def embed(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        hidden = bb.embed(self.encoder, self.layout, input_ids, token_type_ids)
        return hidden if self.prompt is None else self.prompt(hidden)

    @staticmethod
    def extend_mask(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The token mask [B, L] widened to [B, L + n] with ones for n prompt positions after [CLS]."""
        extra = hidden.shape[1] - attention_mask.shape[1]
        if extra <= 0:
            return attention_mask
        ones = attention_mask.new_ones(attention_mask.shape[0], extra)
        return torch.cat([attention_mask[:, :1], ones, attention_mask[:, 1:]], dim=1)

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The head's pooling over the real tokens: prompt positions after [CLS] are dropped."""
        extra = hidden.shape[1] - attention_mask.shape[1]
        if extra > 0:
            hidden = torch.cat([hidden[:, :1], hidden[:, 1 + extra :]], dim=1)
        return self.head.pool(hidden, attention_mask)

    def run_layers(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int, end: int
    ) -> torch.Tensor:
        """Layers [start, end) on hidden states [B, L, H]; the final norm after the last layer."""
        mask = self.extend_mask(hidden, attention_mask)
        return bb.run_layers(self.encoder, self.layout, hidden, mask, start, end)

    def hidden_states(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The backbone's last hidden states: layer by layer, or its own forward (generic)."""
        if not self.layout.layerwise:
            return bb.model_forward(self.encoder, input_ids, attention_mask, token_type_ids)
        hidden = self.embed(input_ids, token_type_ids)
        return self.run_layers(hidden, attention_mask, 0, self.num_layers)

    def pooled_features(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        hidden = self.hidden_states(input_ids, attention_mask, token_type_ids)
        return self.pool(hidden, attention_mask)

    def forward(
        self,
        attention_mask: torch.Tensor,
        input_ids: torch.Tensor | None = None,
        hidden: torch.Tensor | None = None,
        start: int = 0,
        pooled: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits [B, num_labels] (per-token heads: [B, L, num_labels]) from tokens, or from
        cached prefix outputs (which already hold the segment embeddings)."""
        if pooled is None:
            if hidden is None:
                assert input_ids is not None
                hidden = self.hidden_states(input_ids, attention_mask, token_type_ids)
            else:
                hidden = self.run_layers(hidden, attention_mask, start, self.num_layers)
            pooled = self.pool(hidden, attention_mask)
        return self.head(pooled)


def has_trainable(module: nn.Module) -> bool:
    return any(p.requires_grad for p in module.parameters())


def set_train_mode(model: Classifier) -> None:
    """Train mode for blocks that train; eval mode (no dropout) for frozen blocks, so a frozen
    prefix computes the same function whether it runs or is read from a cache."""
    model.train()
    norm = [model.final_norm] if model.final_norm is not None else []
    blocks = [model.encoder] if not model.layout.layerwise else []
    for block in [*blocks, *model.embedding_modules, *model.layers, *norm]:
        if not has_trainable(block):
            block.eval()
