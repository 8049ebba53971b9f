"""Length-grouped batches with dynamic padding: little compute is spent on padding tokens.

Training batches are still shuffled: each epoch permutes the data, sorts within mega-batches of
`batch_size * GROUP` examples by length, cuts batches, then shuffles the batch order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

__all__ = ["Batch", "EncodedSplit", "Prefix", "eval_batches", "train_batches"]

GROUP = 50  # mega-batch size in batches


@dataclass(frozen=True)
class Prefix:
    """What a frozen prefix of the model computed once for every row of a split (built by
    harness/cache.py): batches carry it in place of the tokens, so nothing downstream needs to
    know where its inputs came from."""

    start: int  # first layer still to run; == the layer count: the whole backbone is done
    pooled: bool  # values are pooled features [N, H], else hidden states [N, L_max, H]
    values: torch.Tensor
    build_s: float = 0.0  # seconds it took to build

    def describe(self) -> str:
        return "pooled" if self.pooled else f"layers:{self.start}"


@dataclass(frozen=True)
class EncodedSplit:
    input_ids: torch.Tensor  # [N, L_max] padded with the tokenizer's pad id
    lengths: torch.Tensor  # [N] real token counts
    labels: torch.Tensor  # [N], or [N, L_max] per token (-100 = ignored) for token tasks
    key: str = ""  # content digest (texts + max_length): identifies the split in caches
    # [N, L_max] segment ids (0 = first text, 1 = second) for pairs; None: all first-segment
    token_type_ids: torch.Tensor | None = None
    per_token_labels: bool = False  # labels are [N, L_max], trimmed with the ids per batch
    prefix: Prefix | None = None  # the frozen prefix's outputs for these rows, when cached

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class Batch:
    index: torch.Tensor  # [B] positions in the split (for cached features)
    input_ids: torch.Tensor  # [B, L] trimmed to the longest in the batch
    attention_mask: torch.Tensor  # [B, L]
    labels: torch.Tensor  # [B], [B, L] for token tasks, [B, 2] (start, end) for spans
    token_type_ids: torch.Tensor | None = None  # [B, L] segment ids of pairs
    features: torch.Tensor | None = None  # a frozen prefix's outputs for these rows, if cached
    start: int = 0  # the layer the features enter at
    pooled: bool = False  # the features are pooled (the whole backbone was frozen)

    def map(self, fn: Callable[[torch.Tensor], torch.Tensor]) -> Batch:
        """The same batch with `fn` applied to every tensor (device moves, pinning)."""
        types = None if self.token_type_ids is None else fn(self.token_type_ids)
        feats = None if self.features is None else fn(self.features)
        return Batch(
            fn(self.index),
            fn(self.input_ids),
            fn(self.attention_mask),
            fn(self.labels),
            types,
            feats,
            self.start,
            self.pooled,
        )

    def model_inputs(self) -> dict[str, Any]:
        """Keyword arguments of the model's forward: the tokens, or the prefix's features."""
        if self.features is None:
            return {
                "attention_mask": self.attention_mask,
                "input_ids": self.input_ids,
                "token_type_ids": self.token_type_ids,
            }
        if self.pooled:
            return {"attention_mask": self.attention_mask, "pooled": self.features}
        return {"attention_mask": self.attention_mask, "hidden": self.features, "start": self.start}

    def to(self, device: torch.device) -> Batch:
        nb = device.type == "cuda"
        return self.map(lambda t: t.to(device, non_blocking=nb))


def _collate(split: EncodedSplit, idx: torch.Tensor, pin: bool) -> Batch:
    lengths = split.lengths[idx]
    width = int(lengths.max())
    ids = split.input_ids[idx, :width]
    mask = (torch.arange(width).unsqueeze(0) < lengths.unsqueeze(1)).long()
    labels = split.labels[idx]
    if split.per_token_labels:  # token classification: one label per position, trimmed like the ids
        labels = labels[:, :width]
    types = None if split.token_type_ids is None else split.token_type_ids[idx, :width]
    pre = split.prefix
    feats = None if pre is None else pre.values[idx] if pre.pooled else pre.values[idx, :width]
    batch = Batch(
        idx, ids, mask, labels, types, feats, pre.start if pre else 0, bool(pre and pre.pooled)
    )
    return batch.map(_pinned) if pin else batch


def _pinned(t: torch.Tensor) -> torch.Tensor:
    """Page-locked for a fast copy to the GPU; a frozen prefix cached on the GPU already is
    there (pinning it raised: every cached trial failed on CUDA)."""
    return t.pin_memory() if t.device.type == "cpu" else t


def train_batches(
    split: EncodedSplit, batch_size: int, generator: torch.Generator, pin: bool = False
) -> list[Batch]:
    """One epoch of shuffled, length-grouped batches (order drawn from `generator`)."""
    perm = torch.randperm(len(split), generator=generator)
    groups: list[torch.Tensor] = []
    for chunk in perm.split(batch_size * GROUP):
        order = torch.argsort(split.lengths[chunk], descending=True, stable=True)
        groups.extend(chunk[order].split(batch_size))
    shuffle = torch.randperm(len(groups), generator=generator).tolist()
    return [_collate(split, groups[i], pin) for i in shuffle]


def eval_batches(split: EncodedSplit, batch_size: int, pin: bool = False) -> Iterator[Batch]:
    """Batches sorted by length (no shuffling needed without gradients)."""
    order = torch.argsort(split.lengths, descending=True, stable=True)
    for idx in order.split(batch_size):
        yield _collate(split, idx, pin)
