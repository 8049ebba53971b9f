"""How far fine-tuning moved the model from its pretrained self (catastrophic forgetting / drift).

- `param_drift`: relative L2 change of the encoder's pretrained weights, ||W - W0|| / ||W0||
  over every pretrained tensor. PEFT layers (LoRA, IA3) are merged first so their effective
  weights count; modules a strategy adds (adapters, prompts) are not pretrained weights and are
  left out.
- `repr_cka`: linear CKA (Kornblith et al., 2019) between the pretrained and the tuned
  encoder's pooled sentence representations (the head's pooling) on held-out text (the first
  `train.drift_examples` test texts): 1 = same geometry.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

from harness.data.batching import EncodedSplit, eval_batches
from harness.models.classifier import Classifier
from harness.models.heads import pool

__all__ = ["linear_cka", "param_drift", "repr_cka"]


def _merged_state(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """Encoder weights with PEFT deltas merged in, keyed by their pretrained names."""
    merged = copy.deepcopy(encoder)
    for module in merged.modules():
        if hasattr(module, "merge") and hasattr(module, "base_layer"):
            getattr(module, "merge")()  # noqa: B009 - PEFT layers only
    return {k.replace(".base_layer", ""): v for k, v in merged.state_dict().items()}


@torch.no_grad()
def param_drift(model: Classifier, pretrained: nn.Module) -> float:
    base = pretrained.state_dict()
    tuned = _merged_state(model.encoder)
    num = den = 0.0
    for name, w0 in base.items():
        if name in tuned and tuned[name].shape == w0.shape and w0.is_floating_point():
            num += float((tuned[name].float().cpu() - w0.float()).pow(2).sum())
            den += float(w0.float().pow(2).sum())
    return (num / den) ** 0.5 if den else 0.0


def linear_cka(x: torch.Tensor, y: torch.Tensor) -> float:
    """Linear CKA of two representation matrices [N, D1], [N, D2]."""
    x = x.double() - x.double().mean(0, keepdim=True)
    y = y.double() - y.double().mean(0, keepdim=True)
    cross = (y.T @ x).norm() ** 2
    return float(cross / ((x.T @ x).norm() * (y.T @ y).norm()))


@torch.no_grad()
def _reps(
    features: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    split: EncodedSplit,
    n: int,
    device: torch.device,
) -> torch.Tensor:
    """Sentence representations [n, H] of the first n examples, in order."""
    n = min(n, len(split))
    subset = EncodedSplit(
        split.input_ids[:n], split.lengths[:n], split.labels[:n], f"{split.key}[:{n}]"
    )
    out: torch.Tensor | None = None
    for batch in eval_batches(subset, 64):
        b = batch.to(device)
        rows = features(b.input_ids, b.attention_mask).float()
        if rows.ndim == 3:  # a per-token head's features: the mean of the token states
            rows = pool(rows, b.attention_mask, "mean")
        if out is None:
            out = torch.zeros(n, rows.shape[-1], dtype=torch.float32, device=device)
        out[b.index] = rows
    assert out is not None
    return out.cpu()


_BASE_REPS: OrderedDict[tuple[object, ...], torch.Tensor] = OrderedDict()


def _base_reps(
    pretrained: nn.Module, split: EncodedSplit, n: int, pooling: str, device: torch.device
) -> torch.Tensor:
    base = copy.deepcopy(pretrained).to(device).eval()

    def base_features(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return pool(base(input_ids=ids, attention_mask=mask).last_hidden_state, mask, pooling)

    return _reps(base_features, split, n, device)


def repr_cka(
    model: Classifier,
    pretrained: nn.Module,
    split: EncodedSplit,
    n: int,
    device: torch.device,
    base_key: str | None = None,
) -> float:
    """CKA between what the head sees (pooled features) before and after tuning, on n held-out texts.

    The pretrained side is the same for every trial on a split: with `base_key` (naming the
    pretrained model) it is computed once per process and reused.
    """
    model.eval()
    pooling = "mean" if model.head.per_token else model.head.pooling
    if base_key is None:
        base = _base_reps(pretrained, split, n, pooling, device)
    else:
        key = (base_key, split.key, n, pooling, str(device))
        if key not in _BASE_REPS:
            _BASE_REPS[key] = _base_reps(pretrained, split, n, pooling, device)
            while len(_BASE_REPS) > 4:
                _BASE_REPS.popitem(last=False)
        _BASE_REPS.move_to_end(key)
        base = _BASE_REPS[key]
    return linear_cka(base, _reps(model.pooled_features, split, n, device))
