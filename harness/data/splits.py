"""Nested subsampling and the validation carve: fixed by `data_seed`, independent of train_size.

The pool is permuted once with `data_seed`; the first `val_size` rows are the validation split
(the same for every train size, so selection is comparable across sizes) and the next
`train_size` rows are the training split. Hence the 100 examples are inside the 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.config import DataSpec
from harness.data.sources import RawSplits
from harness.errors import ConfigError

__all__ = ["Splits", "make_splits"]


@dataclass(frozen=True)
class Splits:
    train_texts: list[str]
    train_labels: list[int]
    val_texts: list[str]
    val_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]
    label_names: list[str]


def _label_map(pool_labels: list[str]) -> list[str]:
    names = sorted(
        set(pool_labels), key=lambda s: (len(s), s) if s.lstrip("-").isdigit() else (1 << 30, s)
    )
    if len(names) < 2:
        raise ConfigError("dataset.label_column", f"needs at least 2 classes, found {names}")
    return names


def _to_ids(labels: list[str], index: dict[str, int], key: str) -> list[int]:
    unseen = sorted(set(labels) - set(index))
    if unseen:
        raise ConfigError(
            key, f"label values {unseen[:5]} do not occur in the training data", list(index)
        )
    return [index[x] for x in labels]


def carve(pool_size: int, spec: DataSpec, unit: str = "rows") -> tuple[np.ndarray, np.ndarray]:
    """Pool positions of the validation carve and of the training subset.

    One permutation fixed by `data_seed`: validation is its first `val_size` positions (the same
    for every train size), training the next `train_size` (so smaller sizes nest in larger ones).
    """
    available = pool_size - spec.val_size
    if available < 1:
        raise ConfigError(
            "dataset.val_size",
            f"{spec.val_size} leaves nothing to train on: the pool has {pool_size} {unit}",
            f"1..{pool_size - 1}",
        )
    if spec.train_size > available:
        raise ConfigError(
            "dataset.train_size",
            f"{spec.train_size} is larger than the data: the pool has {pool_size} {unit}, "
            f"{spec.val_size} of which are carved for validation",
            f"1..{max(available, 0)}",
        )
    order = np.random.default_rng(spec.data_seed).permutation(pool_size)
    return order[: spec.val_size], order[spec.val_size : spec.val_size + spec.train_size]


def make_splits(raw: RawSplits, spec: DataSpec) -> Splits:
    """Carve validation from the pool, take the nested training subset, map labels to ids."""
    val_idx, train_idx = carve(len(raw.pool_texts), spec)
    names = _label_map(raw.pool_labels)
    index = {n: i for i, n in enumerate(names)}
    pool_ids = _to_ids(raw.pool_labels, index, "dataset.label_column")
    return Splits(
        train_texts=[raw.pool_texts[i] for i in train_idx],
        train_labels=[pool_ids[i] for i in train_idx],
        val_texts=[raw.pool_texts[i] for i in val_idx],
        val_labels=[pool_ids[i] for i in val_idx],
        test_texts=list(raw.test_texts),
        test_labels=_to_ids(raw.test_labels, index, "dataset.label_column (test split)"),
        label_names=names,
    )
