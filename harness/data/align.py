"""Word-aligned tokenization for token classification.

Each word is split into sub-tokens; its tag goes on the first sub-token and every other position
(continuations, [CLS], [SEP], padding) gets -100, which the loss and the metrics skip. Each split
is tokenized once per (tokenizer, sentences, max_length); later trials reuse it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import torch

from harness.data.batching import EncodedSplit
from harness.data.conll import TokenSplits
from harness.errors import ConfigError

__all__ = ["IGNORE", "TokenEncodedSplit", "encode_token_splits", "encode_words"]

IGNORE = -100  # label of positions that are not a word's first sub-token
_CACHE: dict[tuple[str, str, int], TokenEncodedSplit] = {}
_CACHE_MAX = 16


@dataclass(frozen=True)
class TokenEncodedSplit(EncodedSplit):
    """`labels` is [N, L_max] here; `word_index` [N, L_max] names the word a labelled position
    starts (-1 elsewhere) and `word_tags` keeps every word's tag, so words cut off by max_length
    still count in entity scores."""

    word_index: torch.Tensor | None = None
    word_tags: tuple[tuple[int, ...], ...] = ()


def _digest(sentences: list[list[str]], tags: list[list[int]]) -> str:
    h = hashlib.sha1()
    for words, row in zip(sentences, tags, strict=True):
        h.update("\x01".join(words).encode("utf-8"))
        h.update(bytes(str(row), "ascii"))
        h.update(b"\x00")
    return h.hexdigest()


def encode_words(
    tokenizer: Any, sentences: list[list[str]], tags: list[list[int]], max_length: int
) -> TokenEncodedSplit:
    """Sub-token ids padded to the split's longest sentence, with first-sub-token labels."""
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(
            "model.name_or_path", "token classification needs a fast tokenizer (word alignment)"
        )
    name = str(getattr(tokenizer, "name_or_path", id(tokenizer)))
    key = (name, _digest(sentences, tags), max_length)
    if key in _CACHE:
        return _CACHE[key]
    enc = tokenizer(
        sentences,
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        padding="longest",
        return_tensors="pt",
    )
    ids = enc["input_ids"]
    labels = [[IGNORE] * ids.shape[1] for _ in tags]
    word_index = [[-1] * ids.shape[1] for _ in tags]
    for i, row in enumerate(tags):
        previous = None
        for pos, word in enumerate(enc.word_ids(i)):
            if word is not None and word != previous:
                labels[i][pos], word_index[i][pos] = row[word], word
            previous = word
    split = TokenEncodedSplit(
        input_ids=ids,
        lengths=enc["attention_mask"].sum(dim=1),
        labels=torch.tensor(labels, dtype=torch.long),
        key=f"tok:{key[1]}:{max_length}",
        word_index=torch.tensor(word_index, dtype=torch.long),
        word_tags=tuple(tuple(row) for row in tags),
        per_token_labels=True,
    )
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = split
    return split


def encode_token_splits(
    tokenizer: Any, splits: TokenSplits, max_length: int
) -> dict[str, EncodedSplit]:
    """Encode train/val/test."""
    return {
        "train": encode_words(tokenizer, splits.train_words, splits.train_tags, max_length),
        "val": encode_words(tokenizer, splits.val_words, splits.val_tags, max_length),
        "test": encode_words(tokenizer, splits.test_words, splits.test_tags, max_length),
    }
