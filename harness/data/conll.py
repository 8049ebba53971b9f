"""Token-classification data: CoNLL-style `token<TAB>tag` files (or a hub dataset of word lists).

The harness's contract holds as for sentence datasets: validation is the dataset's dev split when
one is named (`val_path`, e.g. the folder's `valid.txt`, or the hub's `val_split`; `val_size`
caps it with a fixed sample), carved from the training file with `data_seed` otherwise (fixed
across train sizes, which are nested subsets); the test file is the held-out test set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config import DataSpec
from harness.data.sources import load_hub_splits
from harness.data.splits import carve, dev_sample
from harness.data.text import read_text
from harness.errors import ConfigError
from harness.specs import CONLL_FILES as FILES

__all__ = ["TokenRawSplits", "TokenSplits", "make_token_splits", "read_conll", "read_token_dataset"]

Sentence = tuple[list[str], list[str]]  # words, tags


@dataclass(frozen=True)
class TokenRawSplits:
    pool: list[Sentence]  # the training file (validation is carved from it without a dev split)
    test: list[Sentence]
    val: list[Sentence] | None = None  # the dev split, when the dataset names one


@dataclass(frozen=True)
class TokenSplits:
    train_words: list[list[str]]
    train_tags: list[list[int]]
    val_words: list[list[str]]
    val_tags: list[list[int]]
    test_words: list[list[str]]
    test_tags: list[list[int]]
    label_names: list[str]  # `O` first, then the training tags sorted


def read_conll(
    path: str | Path, encoding: str = "utf-8", key: str = "dataset.data_dir"
) -> list[Sentence]:
    """Sentences of a `token<TAB>tag` file (whitespace-separated also accepted; last column = tag)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(read_text(path, encoding, key).split("\n"), 1):
        line = line.removesuffix("\r")
        cols = line.split("\t") if "\t" in line else line.split()
        if not cols or not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        if len(cols) < 2:
            raise ConfigError(key, f"{path}:{number}: expected `token<TAB>tag`")
        if cols[0] == "-DOCSTART-":  # document separators of the original distribution
            continue
        words.append(cols[0])
        tags.append(cols[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def _read_dir(data_dir: str, val_path: str | None, encoding: str) -> TokenRawSplits:
    folder = Path(data_dir)
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ConfigError(
            "dataset.data_dir",
            f"{data_dir!r} lacks {', '.join(missing)}",
            "a folder with " + ", ".join(FILES),
        )
    pool, test = (read_conll(folder / name, encoding) for name in FILES)
    for name, rows in zip(FILES, (pool, test), strict=True):
        if not rows:
            raise ConfigError("dataset.data_dir", f"{folder / name} has no sentences")
    # its presence is checked with the config
    val = read_conll(val_path, encoding, "dataset.val_path") if val_path else None
    if val is not None and not val:
        raise ConfigError("dataset.val_path", f"{val_path} has no sentences")
    return TokenRawSplits(pool, test, val)


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
    val = _hub_rows(ds[spec.val_split], spec, names) if spec.val_split else None
    return TokenRawSplits(
        _hub_rows(train, spec, names), _hub_rows(ds[spec.test_split], spec, names), val
    )


def read_token_dataset(spec: DataSpec) -> TokenRawSplits:
    """The training pool, the dev split when named and the test sentences, from `data_dir` (and
    `val_path`) or (online) the hub."""
    if spec.format == "hub" or (spec.hub_name and not spec.data_dir):
        if not spec.hub_name:
            raise ConfigError("dataset.hub_name", "is required for format=hub")
        return _read_hub(spec)
    if not spec.data_dir:
        raise ConfigError("dataset.data_dir", "is required: a folder with " + ", ".join(FILES))
    return _read_dir(spec.data_dir, spec.val_path, spec.encoding)


def _tag_ids(sentences: list[Sentence], index: dict[str, int], key: str) -> list[list[int]]:
    unseen = sorted({t for _, tags in sentences for t in tags} - set(index))
    if unseen:
        raise ConfigError(key, f"tags {unseen[:5]} do not occur in the training data", list(index))
    return [[index[t] for t in tags] for _, tags in sentences]


def make_token_splits(raw: TokenRawSplits, spec: DataSpec) -> TokenSplits:
    """Validation (the dev split or a carve) and the nested training subset, as `make_splits`."""
    if raw.val is None:
        val_idx, train_idx = carve(len(raw.pool), spec, unit="sentences")
        val = [raw.pool[i] for i in val_idx]
        val_key = "dataset.data_dir (train)"
    else:
        train_idx = carve(len(raw.pool), spec, unit="sentences", carved=0)[1]
        val = [raw.val[i] for i in dev_sample(len(raw.val), spec, unit="sentences")]
        val_key = "dataset.val_split" if spec.format == "hub" else "dataset.val_path"
    tags = {t for _, row in raw.pool for t in row}
    names = ["O", *sorted(tags - {"O"})]
    index = {n: i for i, n in enumerate(names)}
    train = [raw.pool[i] for i in train_idx]
    return TokenSplits(
        train_words=[w for w, _ in train],
        train_tags=_tag_ids(train, index, "dataset.data_dir (train)"),
        val_words=[w for w, _ in val],
        val_tags=_tag_ids(val, index, val_key),
        test_words=[w for w, _ in raw.test],
        test_tags=_tag_ids(raw.test, index, "dataset.data_dir (test)"),
        label_names=names,
    )
