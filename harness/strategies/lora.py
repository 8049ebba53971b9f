"""LoRA (Hu et al., 2021) through PEFT: low-rank adapters on chosen projections + the head.

`target_modules: null` takes PEFT's default for the model family (BERT: query, value; Llama /
Qwen2: q_proj, v_proj; GPT-2: c_attn; ...). DoRA, rsLoRA and the other LoRA options are
`strategy=peft` (or `strategy=dora`).
"""

from __future__ import annotations

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._peft import build_config, inject

__all__ = ["PEFT_TYPE", "apply"]

PEFT_TYPE = "LORA"  # PEFT's method (peft.PeftType): what the trial summary names


def apply(
    model: Classifier,
    r: int = 8,
    alpha: int = 16,
    lora_dropout: float = 0.1,
    target_modules: list[str] | tuple[str, ...] | None = None,
) -> None:
    if not isinstance(r, int) or isinstance(r, bool) or r < 1:
        raise ConfigError("strategy.r", f"must be a whole number >= 1, got {r!r}")
    options = dict(r=r, lora_alpha=alpha, lora_dropout=lora_dropout, bias="none")
    if target_modules is not None:
        options["target_modules"] = list(target_modules)
    inject(model, build_config(model, PEFT_TYPE, options))
