"""Any PEFT method (`strategy=peft`): `peft_type` (LORA, LOHA, LOKR, VERA, BOFT, LN_TUNING, IA3,
...) and that method's own options (PEFT's names: `r`, `lora_alpha`, `use_dora`, `use_rslora`,
`init_lora_weights`, `alpha`, `target_modules`, ...), built with PEFT's config class and
injected into the backbone as LoRA is; PEFT decides what trains, and the head trains too.

Options left null take PEFT's defaults; an option PEFT does not know fails under its key.
"""

from __future__ import annotations

from typing import Any

from harness.models.classifier import Classifier
from harness.strategies._peft import build_config, inject

__all__ = ["apply"]


def apply(model: Classifier, peft_type: str = "LORA", **options: Any) -> None:
    inject(model, build_config(model, peft_type, options))
