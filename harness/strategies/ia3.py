"""IA3 (Liu et al., 2022) through PEFT: learned vectors rescale keys, values and the FFN + the head.

`target_modules: null` takes PEFT's default for the model family (BERT: `key`, `value` and
`output.dense`, the last as a feed-forward module whose input is scaled). Vectors start at 1,
so the model starts as pretrained.
"""

from __future__ import annotations

from harness.models.classifier import Classifier
from harness.strategies._peft import build_config, inject

__all__ = ["PEFT_TYPE", "apply"]

PEFT_TYPE = "IA3"  # PEFT's method (peft.PeftType): what the trial summary names


def apply(
    model: Classifier,
    target_modules: list[str] | tuple[str, ...] | None = None,
    feedforward_modules: list[str] | tuple[str, ...] | None = None,
) -> None:
    options: dict[str, object] = {}
    if target_modules is not None:
        options["target_modules"] = list(target_modules)
        options["feedforward_modules"] = list(feedforward_modules or ())
    inject(model, build_config(model, PEFT_TYPE, options))
