"""LoRA (Hu et al., 2021) through PEFT: low-rank adapters on chosen projections + the head."""

from __future__ import annotations

from peft import LoraConfig

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import train_peft


def apply(
    model: Classifier,
    r: int = 8,
    alpha: int = 16,
    lora_dropout: float = 0.1,
    target_modules: list[str] | tuple[str, ...] = ("query", "value"),
) -> None:
    if not isinstance(r, int) or r < 1:
        raise ConfigError("strategy.r", f"must be a whole number >= 1, got {r!r}")
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=lora_dropout,
        target_modules=list(target_modules),
        bias="none",
    )
    train_peft(model, config, "lora_")
