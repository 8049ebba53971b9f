"""Validation and nested training subsets: fixed by `data_seed`, independent of train_size.

The pool is permuted once with `data_seed`. A dataset with a dev split validates on it (drawn
like the test split); `val_size` below its size takes a sample fixed by `VAL_SEED`, the same for
every `data_seed` and train size. The training split is the first `train_size` rows of the
permutation, so the 100 examples are inside the 1,000 and another `data_seed` draws others.
Without a dev split the first `val_size` rows of the permutation are validation (the same for
every train size) and training takes the next `train_size`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.config import DataSpec
from harness.data.sources import RawSplits, Rows
from harness.errors import ConfigError

__all__ = ["VAL_SEED", "Splits", "carve", "make_splits"]

VAL_SEED = 0  # fixes the sample of a dev split that `val_size` caps; independent of data_seed


@dataclass(frozen=True)
class Splits:
    train_texts: list[str]
    train_labels: list[int]
    val_texts: list[str]
    val_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]
    label_names: list[str]
    # second texts of sentence pairs (`dataset.text_pair_column`), None for single sentences
    train_pairs: list[str] | None = None
    val_pairs: list[str] | None = None
    test_pairs: list[str] | None = None


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


def carve(
    pool_size: int, spec: DataSpec, unit: str = "rows", *, carved: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pool positions of the validation carve and of the training subset.

    One permutation fixed by `data_seed`: validation is its first `carved` positions (default
    `val_size`; 0 when a dev split validates), the same for every train size, and training the
    next `train_size` (so smaller sizes nest in larger ones).
    """
    carved = spec.val_size if carved is None else carved
    available = pool_size - carved
    if carved and available < 1:
        raise ConfigError(
            "dataset.val_size",
            f"{carved} leaves nothing to train on: the pool has {pool_size} {unit}",
            f"1..{pool_size - 1}",
        )
    if spec.train_size > available:
        of_which = f", {carved} of which are carved for validation" if carved else ""
        raise ConfigError(
            "dataset.train_size",
            f"{spec.train_size} is larger than the data: the pool has {pool_size} {unit}"
            + of_which,
            f"1..{max(available, 0)}",
        )
    order = np.random.default_rng(spec.data_seed).permutation(pool_size)
    return order[:carved], order[carved : carved + spec.train_size]


def dev_sample(dev_size: int, spec: DataSpec, unit: str = "rows") -> np.ndarray:
    """Positions of the dev split used for validation: all of it, or `val_size` of them drawn
    with `VAL_SEED` (in file order; smaller caps nest in larger ones)."""
    if spec.val_size > dev_size:
        key = "dataset.val_split" if spec.format == "hub" else "dataset.val_path"
        raise ConfigError(
            "dataset.val_size",
            f"{spec.val_size} is larger than the dev split ({key}), which has {dev_size} {unit}",
            f"1..{dev_size}",
        )
    order = np.random.default_rng(VAL_SEED).permutation(dev_size)
    return np.sort(order[: spec.val_size])


def _take(rows: Rows, idx: np.ndarray) -> Rows:
    pairs = None if rows.pairs is None else [rows.pairs[i] for i in idx]
    return Rows([rows.texts[i] for i in idx], [rows.labels[i] for i in idx], pairs)


def make_splits(raw: RawSplits, spec: DataSpec) -> Splits:
    """Validation (the dev split or a carve), the nested training subset, labels as ids."""
    if raw.val is None:
        val_idx, train_idx = carve(len(raw.pool), spec)
        val = _take(raw.pool, val_idx)
    else:
        train_idx = carve(len(raw.pool), spec, carved=0)[1]
        val = _take(raw.val, dev_sample(len(raw.val), spec))
    train = _take(raw.pool, train_idx)
    names = _label_map(raw.pool.labels)
    index = {n: i for i, n in enumerate(names)}
    key = "dataset.label_column"
    return Splits(
        train_texts=train.texts,
        train_labels=_to_ids(train.labels, index, key),
        val_texts=val.texts,
        val_labels=_to_ids(val.labels, index, f"{key} (validation split)"),
        test_texts=list(raw.test.texts),
        test_labels=_to_ids(raw.test.labels, index, f"{key} (test split)"),
        label_names=names,
        train_pairs=train.pairs,
        val_pairs=val.pairs,
        test_pairs=None if raw.test.pairs is None else list(raw.test.pairs),
    )
