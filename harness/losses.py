"""Classification losses: `loss(logits, labels) -> scalar`, built from `conf/loss/`.

Every builder takes `label_smoothing` and the training split's `class_counts` (per label id),
plus its own config keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.nn import functional as F

from harness.errors import ConfigError

__all__ = ["LossFn", "cross_entropy", "focal", "inverse_frequency", "weighted_cross_entropy"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cross_entropy(label_smoothing: float = 0.0, class_counts: list[int] | None = None) -> LossFn:
    """Cross-entropy with optional label smoothing (class counts unused: plain CE)."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits.float(), labels, label_smoothing=label_smoothing)

    return loss


def inverse_frequency(class_counts: Sequence[int] | None, key: str = "loss") -> torch.Tensor:
    """Class weights [C] proportional to 1 / count, normalized to mean 1 (an absent class counts 1)."""
    if not class_counts:
        raise ConfigError(key, "class weights need the training split's class counts")
    w = 1.0 / torch.tensor(class_counts, dtype=torch.float32).clamp(min=1.0)
    return w / w.mean()


def weighted_cross_entropy(
    label_smoothing: float = 0.0, class_counts: list[int] | None = None
) -> LossFn:
    """Cross-entropy with inverse-frequency class weights (rare classes count more)."""
    weight = inverse_frequency(class_counts)

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(
            logits.float(), labels, weight=weight.to(logits.device), label_smoothing=label_smoothing
        )

    return loss


def _alpha(
    alpha: str | float | Sequence[float] | None, class_counts: list[int] | None
) -> torch.Tensor | None:
    if alpha is None:
        return None
    if alpha == "inverse_frequency":
        return inverse_frequency(class_counts, "loss.alpha")
    if isinstance(alpha, (list, tuple)) and all(
        isinstance(a, (int, float)) and a >= 0 for a in alpha
    ):
        if class_counts is not None and len(alpha) != len(class_counts):
            raise ConfigError(
                "loss.alpha", f"has {len(alpha)} weights for {len(class_counts)} classes"
            )
        return torch.tensor(alpha, dtype=torch.float32)
    raise ConfigError(
        "loss.alpha", f"invalid value {alpha!r}", ["null", "inverse_frequency", "[w_0, w_1, ...]"]
    )


def focal(
    label_smoothing: float = 0.0,
    class_counts: list[int] | None = None,
    gamma: float = 2.0,
    alpha: str | Sequence[float] | None = None,
) -> LossFn:
    """Focal loss (Lin et al., 2017): CE with each class term scaled by (1 - p)^gamma, so easy,
    confident examples count less. gamma=0 is (weighted) cross-entropy, label smoothing included;
    `alpha` weights classes like `weight` in `F.cross_entropy` (mean over the targets' weights)."""
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or gamma < 0:
        raise ConfigError("loss.gamma", f"must be a number >= 0, got {gamma!r}")
    weight = _alpha(alpha, class_counts)

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        logp = logits.float().log_softmax(-1)  # [B, C]
        num_classes = logp.shape[-1]
        target = F.one_hot(labels, num_classes).float() * (1 - label_smoothing)
        target = target + label_smoothing / num_classes
        w = (
            torch.ones(num_classes, device=logp.device)
            if weight is None
            else weight.to(logp.device)
        )
        per_example = -(w * target * (1 - logp.exp()).pow(gamma) * logp).sum(-1)
        return per_example.sum() / w[labels].sum()

    return loss
