"""Token-classification data: CoNLL-style `token<TAB>tag` files (or a hub dataset of word lists).

The harness's contract holds as for sentence datasets: validation is carved from the training
file with `data_seed` (fixed across train sizes, which are nested subsets), and the test file is
the held-out test set. A folder's `valid.txt` is therefore not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config import DataSpec
from harness.data.sources import load_hub_splits
from harness.data.splits import carve
from harness.errors import ConfigError
from harness.specs import CONLL_FILES as FILES

__all__ = ["TokenRawSplits", "TokenSplits", "make_token_splits", "read_conll", "read_token_dataset"]

Sentence = tuple[list[str], list[str]]  # words, tags


@dataclass(frozen=True)
class TokenRawSplits:
    pool: list[Sentence]  # the training file (validation is carved from it)
    test: list[Sentence]


@dataclass(frozen=True)
class TokenSplits:
    train_words: list[list[str]]
    train_tags: list[list[int]]
    val_words: list[list[str]]
    val_tags: list[list[int]]
    test_words: list[list[str]]
    test_tags: list[list[int]]
    label_names: list[str]  # `O` first, then the training tags sorted


def read_conll(path: str | Path) -> list[Sentence]:
    """Sentences of a `token<TAB>tag` file (whitespace-separated also accepted; last column = tag)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            cols = line.rstrip("\n").split("\t") if "\t" in line else line.split()
            if not cols or not line.strip():
                if words:
                    sentences.append((words, tags))
                words, tags = [], []
                continue
            if len(cols) < 2:
                raise ConfigError("dataset.data_dir", f"{path}:{number}: expected `token<TAB>tag`")
            if cols[0] == "-DOCSTART-":  # document separators of the original distribution
                continue
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def _read_dir(data_dir: str) -> TokenRawSplits:
    folder = Path(data_dir)
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(
            "dataset.data_dir",
            f"{data_dir!r} lacks {', '.join(missing)}",
            "a folder with " + ", ".join(FILES),
        )
    pool, test = (read_conll(folder / name) for name in FILES)
    for name, rows in zip(FILES, (pool, test), strict=True):
        if not rows:
            raise ConfigError("dataset.data_dir", f"{folder / name} has no sentences")
    return TokenRawSplits(pool, test)


def _hub_rows(rows: Any, spec: DataSpec, names: list[str] | None) -> list[Sentence]:
    out = []
    for row in rows:
        tags = row[spec.label_column]
        out.append(
            ([str(w) for w in row[spec.text_column]], [names[t] if names else str(t) for t in tags])
        )
    return out


def _read_hub(spec: DataSpec) -> TokenRawSplits:
    """Online path: `datasets.load_dataset(hub_name)` with word-list and tag columns."""
    ds = load_hub_splits(spec)
    train = ds[spec.train_split]
    for key, col in (
        ("dataset.text_column", spec.text_column),
        ("dataset.label_column", spec.label_column),
    ):
        if col not in train.column_names:
            raise ConfigError(key, f"column {col!r} not found", train.column_names)
    feature: Any = getattr(train.features[spec.label_column], "feature", None)
    names = list(feature.names) if hasattr(feature, "names") else None  # ClassLabel ids -> tags
    return TokenRawSplits(
        _hub_rows(train, spec, names), _hub_rows(ds[spec.test_split], spec, names)
    )


def read_token_dataset(spec: DataSpec) -> TokenRawSplits:
    """The training pool and the test sentences, from `data_dir` or (online) the hub."""
    if spec.format == "hub" or (spec.hub_name and not spec.data_dir):
        if not spec.hub_name:
            raise ConfigError("dataset.hub_name", "is required for format=hub")
        return _read_hub(spec)
    if not spec.data_dir:
        raise ConfigError("dataset.data_dir", "is required: a folder with " + ", ".join(FILES))
    return _read_dir(spec.data_dir)


def _tag_ids(sentences: list[Sentence], index: dict[str, int], key: str) -> list[list[int]]:
    unseen = sorted({t for _, tags in sentences for t in tags} - set(index))
    if unseen:
        raise ConfigError(key, f"tags {unseen[:5]} do not occur in the training data", list(index))
    return [[index[t] for t in tags] for _, tags in sentences]


def make_token_splits(raw: TokenRawSplits, spec: DataSpec) -> TokenSplits:
    """Carve validation from the pool and take the nested training subset, as `make_splits` does."""
    val_idx, train_idx = carve(len(raw.pool), spec, unit="sentences")
    tags = {t for _, row in raw.pool for t in row}
    names = ["O", *sorted(tags - {"O"})]
    index = {n: i for i, n in enumerate(names)}
    val = [raw.pool[i] for i in val_idx]
    train = [raw.pool[i] for i in train_idx]
    return TokenSplits(
        train_words=[w for w, _ in train],
        train_tags=_tag_ids(train, index, "dataset.data_dir (train)"),
        val_words=[w for w, _ in val],
        val_tags=_tag_ids(val, index, "dataset.data_dir (train)"),
        test_words=[w for w, _ in raw.test],
        test_tags=_tag_ids(raw.test, index, "dataset.data_dir (test)"),
        label_names=names,
    )
