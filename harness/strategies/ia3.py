"""IA3 (Liu et al., 2022) through PEFT: learned vectors rescale keys, values and the FFN + the head.

Defaults are PEFT's for BERT: `key`, `value` and `output.dense` are rescaled, `output.dense` as a
feed-forward module (its input is scaled). Vectors start at 1, so the model starts as pretrained.
"""

from __future__ import annotations

from peft import IA3Config, inject_adapter_in_model

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head

__all__ = ["apply"]


def apply(
    model: Classifier,
    target_modules: list[str] | tuple[str, ...] = ("key", "value", "output.dense"),
    feedforward_modules: list[str] | tuple[str, ...] = ("output.dense",),
) -> None:
    config = IA3Config(
        target_modules=list(target_modules), feedforward_modules=list(feedforward_modules)
    )
    try:
        inject_adapter_in_model(config, model.encoder)
    except ValueError as exc:
        names = sorted({n.rsplit(".", 1)[-1] for n, _ in model.encoder.named_modules() if n})
        raise ConfigError("strategy.target_modules", str(exc).splitlines()[0], names[:20]) from None
    freeze_all(model)
    for name, p in model.encoder.named_parameters():
        if "ia3_" in name:
            p.requires_grad_(True)
    train_head(model)
