"""IA3 (Liu et al., 2022) through PEFT: learned vectors rescale keys, values and the FFN + the head.

Defaults are PEFT's for BERT: `key`, `value` and `output.dense` are rescaled, `output.dense` as a
feed-forward module (its input is scaled). Vectors start at 1, so the model starts as pretrained.
"""

from __future__ import annotations

from peft import IA3Config

from harness.models.classifier import Classifier
from harness.strategies._base import train_peft

__all__ = ["apply"]


def apply(
    model: Classifier,
    target_modules: list[str] | tuple[str, ...] = ("key", "value", "output.dense"),
    feedforward_modules: list[str] | tuple[str, ...] = ("output.dense",),
) -> None:
    config = IA3Config(
        target_modules=list(target_modules), feedforward_modules=list(feedforward_modules)
    )
    train_peft(model, config, "ia3_")
