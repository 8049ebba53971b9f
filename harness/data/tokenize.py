"""Tokenize each split once per (tokenizer, texts, max_length); later trials reuse it.

Sentence pairs (`dataset.text_pair_column`) are encoded as the tokenizer's pair template
(`[CLS] a [SEP] b [SEP]`), truncating the longer side first (`longest_first`); the digest that
keys this cache and the frozen-prefix cache covers both texts.
"""

from __future__ import annotations

import hashlib
from typing import Any

import torch

from harness.data.batching import EncodedSplit
from harness.data.splits import Splits
from harness.errors import ConfigError

__all__ = ["encode", "encode_splits"]

_CACHE: dict[tuple[str, str, int], tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]] = {}
_CACHE_MAX = 16


def _digest(texts: list[str], pairs: list[str] | None = None) -> str:
    h = hashlib.sha1()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    if pairs is not None:  # single texts keep their old digest
        h.update(b"\x01pairs")
        for t in pairs:
            h.update(t.encode("utf-8"))
            h.update(b"\x00")
    return h.hexdigest()


def encode(
    tokenizer: Any,
    texts: list[str],
    labels: list[int],
    max_length: int,
    pairs: list[str] | None = None,
) -> EncodedSplit:
    """Token ids padded to the split's longest text (batches are trimmed again per batch);
    with `pairs`, each text is encoded together with its second sentence."""
    if pairs is not None and len(pairs) != len(texts):
        raise ConfigError(
            "augmentation", "adds single texts: sentence pairs need augmentation=none", ["none"]
        )
    name = str(getattr(tokenizer, "name_or_path", id(tokenizer)))
    key = (name, _digest(texts, pairs), max_length)
    if key not in _CACHE:
        enc = tokenizer(
            texts,
            pairs,
            truncation="longest_first" if pairs is not None else True,
            max_length=max_length,
            padding="longest",
            return_tensors="pt",
        )
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        # segment ids matter for pairs only (single texts are all segment 0, the default)
        types = enc.get("token_type_ids") if pairs is not None else None
        _CACHE[key] = (enc["input_ids"], enc["attention_mask"].sum(dim=1), types)
    ids, lengths, types = _CACHE[key]
    return EncodedSplit(
        input_ids=ids,
        lengths=lengths,
        labels=torch.tensor(labels, dtype=torch.long),
        key=f"{key[1]}:{max_length}",
        token_type_ids=types,
    )


def encode_splits(tokenizer: Any, splits: Splits, max_length: int) -> dict[str, EncodedSplit]:
    """Encode train/val/test."""
    return {
        "train": encode(
            tokenizer, splits.train_texts, splits.train_labels, max_length, splits.train_pairs
        ),
        "val": encode(tokenizer, splits.val_texts, splits.val_labels, max_length, splits.val_pairs),
        "test": encode(
            tokenizer, splits.test_texts, splits.test_labels, max_length, splits.test_pairs
        ),
    }
