"""Classification heads over a pooled sentence representation (`cls` token or masked mean),
a per-token head for token classification and a start/end span head for extractive QA.

Each head class says its `kind` (what its logits are per): a task names the kind it needs, so
a head that does not fit the task fails at compose time."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["Head", "LinearHead", "MLPHead", "SpanHead", "TokenLinearHead", "pool"]


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """[B, L, H] -> [B, H]: the first ([CLS]) token, the last real token (causal models: the only
    one that has seen the whole text; padding is on the right), or the mean over real tokens."""
    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "last":
        last = (attention_mask.sum(dim=1) - 1).clamp(min=0).long()
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class Head(nn.Module):
    """Base: knows its pooling so cached pooled features can bypass the encoder."""

    per_token = False  # True: logits per position [B, L, C] (token classification), no pooling
    kind = "pooled"  # pooled: [B, C] per text | per_token: [B, L, C] | span: [B, L, 2] start/end

    def __init__(self, pooling: str):
        super().__init__()
        self.pooling = pooling

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return pool(hidden, attention_mask, self.pooling)


class LinearHead(Head):
    """Dropout + Linear: the linear probe."""

    def __init__(
        self, in_features: int, num_labels: int, pooling: str = "mean", dropout: float = 0.1
    ):
        super().__init__(pooling)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(in_features, num_labels)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(pooled))


class MLPHead(Head):
    """Task adaptation layer: Linear -> GELU -> Dropout -> Linear, narrower than the encoder."""

    def __init__(
        self,
        in_features: int,
        num_labels: int,
        pooling: str = "mean",
        dropout: float = 0.1,
        hidden_size: int = 128,
    ):
        super().__init__(pooling)
        self.net = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(in_features, hidden_size),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_size, num_labels),
        )

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.net(pooled)


class TokenLinearHead(Head):
    """Dropout + Linear on every position: per-token logits for token classification (NER)."""

    per_token = True
    kind = "per_token"

    def __init__(
        self, in_features: int, num_labels: int, pooling: str = "none", dropout: float = 0.1
    ):
        super().__init__("none")
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(in_features, num_labels)

    def pool(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return hidden  # [B, L, H]: every token keeps its own representation

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(hidden))  # [B, L, num_labels]


class SpanHead(TokenLinearHead):
    """Start and end logits on every position (extractive QA, as in BERT's SQuAD head): a
    Linear(hidden -> 2) on each token state; [B, L, 2], channel 0 = start, 1 = end. `num_labels`
    is ignored: a span always has two ends."""

    kind = "span"

    def __init__(
        self, in_features: int, num_labels: int = 2, pooling: str = "none", dropout: float = 0.1
    ):
        super().__init__(in_features, 2, pooling, dropout)
