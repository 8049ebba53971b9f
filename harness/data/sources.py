"""Read (text[, pair], label) rows from local files (tsv/csv/jsonl) or a Hugging Face hub dataset.

Three splits: the training pool, the dataset's own dev split when it names one (`val_path` for
files, `val_split` for the hub; validation is carved from the pool otherwise) and the test split.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config import DataSpec
from harness.data.checks import check_label_kinds, check_values
from harness.data.text import read_text
from harness.errors import ConfigError

__all__ = ["RawSplits", "Rows", "load_hub_splits", "read_dataset"]

Table = list[dict[str, object]]


@dataclass(frozen=True)
class Rows:
    """One split: texts, labels (strings until the label map is built), second texts of pairs."""

    texts: list[str]
    labels: list[str]
    pairs: list[str] | None = None  # `text_pair_column`, None for single sentences

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class RawSplits:
    """The training pool, the held-out test split and, when the dataset has one, its dev split
    (the validation split; None: validation is carved from the pool later)."""

    pool: Rows
    test: Rows
    val: Rows | None = None


def _infer_format(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("tsv", "csv", "jsonl"):
        return suffix
    if suffix == "json":
        return "jsonl"
    raise ConfigError(
        "dataset.format", f"cannot infer the format of {path!r}", ["tsv", "csv", "jsonl"]
    )


def _read_rows(path: str, fmt: str, key: str, encoding: str = "utf-8") -> Table:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(key, f"data file not found: {path}")
    text = read_text(p, encoding, key)
    if fmt == "jsonl":
        return [json.loads(line) for line in text.split("\n") if line.strip()]
    delim = "\t" if fmt == "tsv" else ","
    return list(
        csv.DictReader(
            io.StringIO(text, newline=""),
            delimiter=delim,
            quoting=csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL,
        )
    )


def _columns(table: Table, spec: DataSpec, key: str, where: str) -> Rows:
    """The configured columns of one split; `key` names the split's setting, `where` its file."""
    if not table:
        raise ConfigError(key, f"{where} has no rows")
    have = list(table[0].keys())
    wanted = {"dataset.text_column": spec.text_column, "dataset.label_column": spec.label_column}
    if spec.text_pair_column is not None:
        wanted["dataset.text_pair_column"] = spec.text_pair_column
    for setting, col in wanted.items():
        if col not in table[0]:
            raise ConfigError(setting, f"column {col!r} not found in {key}", have)
    values = {
        col: check_values([r.get(col) for r in table], col, key, where) for col in wanted.values()
    }
    return Rows(
        values[spec.text_column],
        values[spec.label_column],
        None if spec.text_pair_column is None else values[spec.text_pair_column],
    )


def load_hub_splits(spec: DataSpec) -> Any:
    """Online path: `datasets.load_dataset(hub_name, hub_subset)` with the train, test (and
    validation, when named) splits checked; never used offline by default. Returns the DatasetDict."""
    import datasets

    try:
        ds = datasets.load_dataset(spec.hub_name, spec.hub_subset)
    except Exception as exc:  # network, unknown name, ...
        raise ConfigError("dataset.hub_name", f"cannot load {spec.hub_name!r}: {exc}") from None
    for key, split in (
        ("dataset.train_split", spec.train_split),
        ("dataset.val_split", spec.val_split),
        ("dataset.test_split", spec.test_split),
    ):
        if split is not None and split not in ds:
            raise ConfigError(key, f"split {split!r} not in {spec.hub_name!r}", list(ds.keys()))
    return ds


def _hub_tables(spec: DataSpec) -> dict[str, tuple[Table, str, str]]:
    ds = load_hub_splits(spec)
    splits = {"pool": ("train_split", spec.train_split), "test": ("test_split", spec.test_split)}
    if spec.val_split is not None:
        splits["val"] = ("val_split", spec.val_split)
    return {
        role: ([dict(r) for r in ds[split]], f"dataset.{key}", f"{spec.hub_name}[{split}]")
        for role, (key, split) in splits.items()
    }


def _file_tables(spec: DataSpec) -> dict[str, tuple[Table, str, str]]:
    if not spec.train_path or not spec.test_path:
        raise ConfigError(
            "dataset.train_path", "train_path and test_path are required for local files"
        )
    paths = {"pool": ("train_path", spec.train_path), "test": ("test_path", spec.test_path)}
    if spec.val_path:
        paths["val"] = ("val_path", spec.val_path)
    tables = {}
    for role, (key, path) in paths.items():
        fmt = _infer_format(path) if spec.format == "auto" else spec.format
        rows = _read_rows(path, fmt, f"dataset.{key}", spec.encoding)
        tables[role] = (rows, f"dataset.{key}", path)
    return tables


def read_dataset(spec: DataSpec) -> RawSplits:
    """Read the pool, the dev split (if any) and the test split, refusing empty files, empty
    texts and label columns of different kinds; labels stay strings until the label map."""
    if spec.format == "hub" and not spec.hub_name:
        raise ConfigError("dataset.hub_name", "is required for format=hub")
    tables = _hub_tables(spec) if spec.format == "hub" else _file_tables(spec)
    rows = {role: _columns(t, spec, key, where) for role, (t, key, where) in tables.items()}
    check_label_kinds([(tables[role][2], rows[role].labels) for role in rows])
    return RawSplits(pool=rows["pool"], test=rows["test"], val=rows.get("val"))
