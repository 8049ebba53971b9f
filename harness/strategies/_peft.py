"""PEFT methods through PEFT's own public API: its config classes, its per-family default target
modules, `inject_adapter_in_model` (the backbone stays a plain transformers model, so the
layer-by-layer forward and prefix caching keep working), and its own choice of what trains.

Target modules: the user's, else PEFT's default for the family's `model_type`, else the
layout's fallback (families PEFT has no default for), else every normalisation layer for
LN tuning. Prompt-learning methods (prompt/prefix/P-tuning) need the PeftModel wrapper and
`past_key_values`; they are refused with a pointer to `strategy=prompt_tuning`.
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import freeze_all, train_head

__all__ = ["build_config", "inject", "is_peft"]

# methods whose tuner keeps shared state (VeRA's random projections): inject_adapter_in_model
# refuses them, get_peft_model injects them into the same backbone modules
_SHARED_STATE = {"VERA", "PeftType.VERA", "PVERA", "PeftType.PVERA"}


def _default_targets(model: Classifier, peft_type: str, cls: Any) -> dict[str, list[str]]:
    """Targets when the user names none and PEFT has no default for this family."""
    from peft.mapping import PEFT_TYPE_TO_TUNER_MAPPING
    from peft.utils import constants

    tuner = {getattr(k, "value", str(k)): v for k, v in PEFT_TYPE_TO_TUNER_MAPPING.items()}
    name = f"TRANSFORMERS_MODELS_TO_{peft_type.replace('_', '')}_TARGET_MODULES_MAPPING"
    mapping = getattr(tuner.get(peft_type), "target_module_mapping", None)
    mapping = mapping if mapping is not None else getattr(constants, name, {})
    layout = model.layout
    if "target_modules" not in getattr(cls, "__dataclass_fields__", {}) or layout.family in mapping:
        return {}  # a method without target modules, or PEFT's own default
    if peft_type == "IA3" and layout.ia3_targets:
        return {
            "target_modules": list(layout.ia3_targets),
            "feedforward_modules": list(layout.ia3_feedforward),
        }
    if peft_type == "LN_TUNING":  # the full names (a regex PEFT matches whole), so a module that
        # shares a norm's name but is not one (ModernBERT's first attn_norm is an Identity) is left
        norms = [
            re.escape(name)
            for name, m in model.encoder.named_modules()
            if name and "norm" in type(m).__name__.lower() and any(True for _ in m.parameters())
        ]
        return {"target_modules": "|".join(norms)} if norms else {}  # type: ignore[dict-item]
    return {"target_modules": list(layout.lora_targets)} if layout.lora_targets else {}


def build_config(model: Classifier, peft_type: str, options: dict[str, Any]) -> Any:
    """PEFT's config for `peft_type` from the options that are set (None = PEFT's default)."""
    from peft import PromptLearningConfig
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING

    kinds = {getattr(k, "value", str(k)): k for k in PEFT_TYPE_TO_CONFIG_MAPPING}
    kind = str(peft_type).upper()
    if kind not in kinds:
        raise ConfigError("strategy.peft_type", f"unknown PEFT method {peft_type!r}", sorted(kinds))
    cls = PEFT_TYPE_TO_CONFIG_MAPPING[kinds[kind]]
    if issubclass(cls, PromptLearningConfig):
        raise ConfigError(
            "strategy.peft_type",
            f"{kind} needs PEFT's model wrapper and past_key_values: use strategy=prompt_tuning",
        )
    kwargs = {k: v for k, v in options.items() if v is not None}
    if kwargs.get("target_modules") is None:
        kwargs.update(_default_targets(model, kind, cls))
    if kind in ("VERA", "PVERA"):  # the projections live on the tuner, not in the backbone:
        kwargs.setdefault("save_projection", False)  # PEFT regenerates them from their seed
    try:
        return cls(**kwargs)
    except TypeError as exc:
        bad = next((k for k in kwargs if f"'{k}'" in str(exc)), None)
        raise ConfigError(
            f"strategy.{bad}" if bad else "strategy", f"{cls.__name__}: {exc}"
        ) from None
    except ValueError as exc:
        raise ConfigError("strategy", f"{cls.__name__}: {str(exc).splitlines()[0]}") from None


def inject(model: Classifier, config: Any) -> None:
    """Inject the adapter into the backbone; train what PEFT marks trainable there + the head."""
    from peft import get_peft_model, inject_adapter_in_model

    encoder: Any = model.encoder
    for p in encoder.parameters():
        p.requires_grad_(True)  # PEFT then turns off everything that is not its adapter
    try:
        if str(config.peft_type) in _SHARED_STATE:  # get_peft_model injects in place as well
            get_peft_model(encoder, config)
        else:
            inject_adapter_in_model(config, encoder)
    except (ValueError, TypeError) as exc:  # no such module, or a layer type the method lacks
        names = sorted({n.rsplit(".", 1)[-1] for n, _ in encoder.named_modules() if n})
        raise ConfigError("strategy.target_modules", str(exc).splitlines()[0], names[:30]) from None
    trainable = [p for p in encoder.parameters() if p.requires_grad]
    freeze_all(model)
    for p in trainable:
        p.requires_grad_(True)
    train_head(model)


def is_peft(module: nn.Module) -> bool:
    """Whether a PEFT adapter was injected (its config sits on the module, as PEFT puts it)."""
    return isinstance(getattr(module, "peft_config", None), dict)
