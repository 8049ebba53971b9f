"""What a strategy must store: only the tensors it trained (all weights for `full`).

PEFT strategies also get their adapter in PEFT's own format, in a folder beside the record
(`<record>.adapter/`: `adapter_config.json` + `adapter_model.safetensors`, loadable with
`PeftModel.from_pretrained(backbone, folder)`), with the harness's head in `head.safetensors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import nn

__all__ = ["adapter_dir", "save_adapter", "save_trained"]


def adapter_dir(path: Path) -> Path:
    """The PEFT folder that goes with a checkpoint file."""
    return path.with_suffix(".adapter")


def save_adapter(model: nn.Module, folder: Path) -> None:
    """The injected PEFT adapter as `PeftModel.save_pretrained` writes it, + the head."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    encoder: Any = model.encoder
    folder.mkdir(parents=True, exist_ok=True)
    config = encoder.peft_config["default"]
    config.base_model_name_or_path = getattr(encoder, "name_or_path", None) or None
    config.save_pretrained(str(folder))
    state = get_peft_model_state_dict(encoder, adapter_name="default")
    # PeftModel keys its weights under base_model.model.; from_pretrained expects the same
    tensors = {f"base_model.model.{k}": v.detach().cpu().contiguous() for k, v in state.items()}
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    head = {k: v.detach().cpu().contiguous() for k, v in model.head.state_dict().items()}  # type: ignore[union-attr]
    save_file(head, str(folder / "head.safetensors"))


def save_trained(model: nn.Module, path: Path | None) -> tuple[float, str | None]:
    """Size of the trained tensors (what this strategy must store); saved when a path is given."""
    tensors = {
        n: p.detach().cpu().contiguous() for n, p in model.named_parameters() if p.requires_grad
    }
    size_mb = sum(t.numel() * t.element_size() for t in tensors.values()) / 2**20
    if path is None:
        return size_mb, None
    from safetensors.torch import save_file

    from harness.strategies._peft import is_peft

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    if is_peft(getattr(model, "encoder", model)):
        save_adapter(model, adapter_dir(path))
    return path.stat().st_size / 2**20, str(path)
