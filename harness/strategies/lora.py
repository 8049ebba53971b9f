"""LoRA (Hu et al., 2021) through PEFT: low-rank adapters on chosen projections + the head."""

from __future__ import annotations

from peft import LoraConfig, inject_adapter_in_model

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head


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
    try:
        inject_adapter_in_model(config, model.encoder)
    except ValueError as exc:
        names = sorted({n.rsplit(".", 1)[-1] for n, _ in model.encoder.named_modules() if n})
        raise ConfigError("strategy.target_modules", str(exc).splitlines()[0], names[:20]) from None
    freeze_all(model)
    for name, p in model.encoder.named_parameters():
        if "lora_" in name:
            p.requires_grad_(True)
    train_head(model)
