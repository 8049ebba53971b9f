"""What a strategy must store: only the tensors it trained (all weights for `full`)."""

from __future__ import annotations

from pathlib import Path

from torch import nn

__all__ = ["save_trained"]


def save_trained(model: nn.Module, path: Path | None) -> tuple[float, str | None]:
    """Size of the trained tensors (what this strategy must store); saved when a path is given."""
    tensors = {
        n: p.detach().cpu().contiguous() for n, p in model.named_parameters() if p.requires_grad
    }
    size_mb = sum(t.numel() * t.element_size() for t in tensors.values()) / 2**20
    if path is None:
        return size_mb, None
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path))
    return path.stat().st_size / 2**20, str(path)
