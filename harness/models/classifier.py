"""Encoder + head, run layer by layer so a frozen prefix can be skipped with cached outputs."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers.masking_utils import create_bidirectional_mask

from harness.models.heads import Head

__all__ = ["Classifier"]


class Classifier(nn.Module):
    """A BERT-style encoder (`embeddings` + `encoder.layer`) and a pooled classification head.

    `forward` accepts the raw tokens, or the cached output of the frozen prefix: hidden states
    after layer `start` (`hidden`), or the pooled features when the whole encoder is frozen.
    An optional `prompt` module (prompt tuning, strategy `prefix`) inserts learned vectors after
    the [CLS] embedding: they are always attended to, and pooling skips them.
    """

    def __init__(self, encoder: nn.Module, head: Head):
        super().__init__()
        self.encoder: Any = encoder  # a transformers PreTrainedModel (BERT-style)
        self.head = head
        self.prompt: nn.Module | None = None  # [B, L, H] -> [B, L + n, H], set by a strategy

    @property
    def layers(self) -> nn.ModuleList:
        return self.encoder.encoder.layer

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def embed(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Token (+ segment, for pairs) embeddings; segment ids default to all-first-segment."""
        if token_type_ids is None:
            hidden = self.encoder.embeddings(input_ids=input_ids)
        else:
            hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
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
        """Encoder layers [start, end) on hidden states [B, L, H]."""
        if start >= end:
            return hidden
        mask = create_bidirectional_mask(
            config=self.encoder.config,
            inputs_embeds=hidden,
            attention_mask=self.extend_mask(hidden, attention_mask),
        )
        for layer in self.layers[start:end]:
            out = layer(hidden, mask)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def pooled_features(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        hidden = self.embed(input_ids, token_type_ids)
        hidden = self.run_layers(hidden, attention_mask, 0, self.num_layers)
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
                hidden, start = self.embed(input_ids, token_type_ids), 0
            hidden = self.run_layers(hidden, attention_mask, start, self.num_layers)
            pooled = self.pool(hidden, attention_mask)
        return self.head(pooled)
