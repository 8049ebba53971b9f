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
    """

    def __init__(self, encoder: nn.Module, head: Head):
        super().__init__()
        self.encoder: Any = encoder  # a transformers PreTrainedModel (BERT-style)
        self.head = head

    @property
    def layers(self) -> nn.ModuleList:
        return self.encoder.encoder.layer

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.encoder.embeddings(input_ids=input_ids)

    def run_layers(
        self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int, end: int
    ) -> torch.Tensor:
        """Encoder layers [start, end) on hidden states [B, L, H]."""
        if start >= end:
            return hidden
        mask = create_bidirectional_mask(
            config=self.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
        )
        for layer in self.layers[start:end]:
            out = layer(hidden, mask)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def pooled_features(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        hidden = self.run_layers(self.embed(input_ids), attention_mask, 0, self.num_layers)
        return self.head.pool(hidden, attention_mask)

    def forward(
        self,
        attention_mask: torch.Tensor,
        input_ids: torch.Tensor | None = None,
        hidden: torch.Tensor | None = None,
        start: int = 0,
        pooled: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits [B, num_labels] from tokens, or from cached prefix outputs."""
        if pooled is None:
            if hidden is None:
                assert input_ids is not None
                hidden, start = self.embed(input_ids), 0
            hidden = self.run_layers(hidden, attention_mask, start, self.num_layers)
            pooled = self.head.pool(hidden, attention_mask)
        return self.head(pooled)
