"""Prompt tuning (Lester et al., 2021), implemented in-house: `n_tokens` learned vectors + the head.

Not PEFT's prefix tuning: that needs the PeftModel wrapper and `past_key_values`, which the
harness's layer-by-layer forward does not use. Instead a soft prompt is inserted after the [CLS]
embedding (the output of the embeddings module, so real tokens keep their positions), every
token attends to it (the attention mask is extended with ones), and pooling skips the prompt
positions, so `cls` and `mean` pooling see the real tokens only, as for every other strategy.
The vectors start as the embeddings of random vocabulary tokens. Everything else is frozen but
the prompt and the head; the prompt sits in front of every layer, so nothing is cacheable.
"""

from __future__ import annotations

import torch
from torch import nn

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan, freeze_all, train_head

__all__ = ["SoftPrompt", "apply"]


class SoftPrompt(nn.Module):
    """[B, L, H] -> [B, 1 + n + (L - 1), H]: n learned vectors right after the first ([CLS]) token."""

    def __init__(self, init: torch.Tensor):
        super().__init__()
        self.vectors = nn.Parameter(init.detach().clone())  # [n, H]

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        prompt = self.vectors.to(hidden.dtype).expand(hidden.shape[0], -1, -1)
        return torch.cat([hidden[:, :1], prompt, hidden[:, 1:]], dim=1)


@torch.no_grad()
def _vocabulary_init(model: Classifier, n_tokens: int) -> torch.Tensor:
    """Embeddings-module outputs [n, H] of n token ids drawn uniformly from the vocabulary."""
    words = model.encoder.get_input_embeddings()
    ids = torch.randint(words.num_embeddings, (1, n_tokens), device=words.weight.device)
    was_training = model.training
    model.eval()
    out = model.embed(ids)[0]
    model.train(was_training)
    return out


def apply(model: Classifier, n_tokens: int = 10) -> StrategyPlan:
    if not isinstance(n_tokens, int) or isinstance(n_tokens, bool) or n_tokens < 1:
        raise ConfigError("strategy.n_tokens", f"must be a whole number >= 1, got {n_tokens!r}")
    if not model.layout.layerwise:
        raise ConfigError(
            "strategy",
            f"prompt_tuning inserts vectors after the embeddings: the {model.layout.family!r} "
            "family runs through its own forward (no layer-by-layer path)",
        )
    model.prompt = SoftPrompt(_vocabulary_init(model, n_tokens))
    freeze_all(model)
    model.prompt.requires_grad_(True)
    train_head(model)
    return StrategyPlan(cacheable=False)
