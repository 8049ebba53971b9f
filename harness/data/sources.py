"""Read (text, label) rows from local files (tsv/csv/jsonl) or a Hugging Face hub dataset."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.config import DataSpec
from harness.errors import ConfigError

__all__ = ["RawSplits", "read_dataset"]


@dataclass(frozen=True)
class RawSplits:
    """The training pool (validation is carved from it later) and the held-out test split."""

    pool_texts: list[str]
    pool_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]


def _infer_format(path: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("tsv", "csv", "jsonl"):
        return suffix
    if suffix == "json":
        return "jsonl"
    raise ConfigError(
        "dataset.format", f"cannot infer the format of {path!r}", ["tsv", "csv", "jsonl"]
    )


def _read_rows(path: str, fmt: str, key: str) -> list[dict[str, object]]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(key, f"data file not found: {path}")
    if fmt == "jsonl":
        with p.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    with p.open(encoding="utf-8", newline="") as f:
        delim = "\t" if fmt == "tsv" else ","
        return list(
            csv.DictReader(
                f, delimiter=delim, quoting=csv.QUOTE_NONE if fmt == "tsv" else csv.QUOTE_MINIMAL
            )
        )


def _columns(
    rows: list[dict[str, object]], spec: DataSpec, where: str
) -> tuple[list[str], list[str]]:
    if not rows:
        raise ConfigError(where, "the file has no rows")
    have = list(rows[0].keys())
    for key, col in (
        ("dataset.text_column", spec.text_column),
        ("dataset.label_column", spec.label_column),
    ):
        if col not in rows[0]:
            raise ConfigError(key, f"column {col!r} not found in {where}", have)
    texts = [str(r[spec.text_column]) for r in rows]
    labels = [str(r[spec.label_column]) for r in rows]
    return texts, labels


def load_hub_splits(spec: DataSpec) -> Any:
    """Online path: `datasets.load_dataset(hub_name, hub_subset)` with the train and test splits
    checked; never used offline by default. Returns the DatasetDict."""
    import datasets

    try:
        ds = datasets.load_dataset(spec.hub_name, spec.hub_subset)
    except Exception as exc:  # network, unknown name, ...
        raise ConfigError("dataset.hub_name", f"cannot load {spec.hub_name!r}: {exc}") from None
    for key, split in (
        ("dataset.train_split", spec.train_split),
        ("dataset.test_split", spec.test_split),
    ):
        if split not in ds:
            raise ConfigError(key, f"split {split!r} not in {spec.hub_name!r}", list(ds.keys()))
    return ds


def _read_hub(spec: DataSpec) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    ds = load_hub_splits(spec)
    return [dict(r) for r in ds[spec.train_split]], [dict(r) for r in ds[spec.test_split]]


def read_dataset(spec: DataSpec) -> RawSplits:
    """Read the pool and the test split; labels are kept as strings until the label map is built."""
    if spec.format == "hub":
        if not spec.hub_name:
            raise ConfigError("dataset.hub_name", "is required for format=hub")
        train_rows, test_rows = _read_hub(spec)
        where_train, where_test = "dataset.train_split", "dataset.test_split"
    else:
        if not spec.train_path or not spec.test_path:
            raise ConfigError(
                "dataset.train_path", "train_path and test_path are required for local files"
            )
        fmt_train = _infer_format(spec.train_path) if spec.format == "auto" else spec.format
        fmt_test = _infer_format(spec.test_path) if spec.format == "auto" else spec.format
        train_rows = _read_rows(spec.train_path, fmt_train, "dataset.train_path")
        test_rows = _read_rows(spec.test_path, fmt_test, "dataset.test_path")
        where_train, where_test = "dataset.train_path", "dataset.test_path"
    pool_texts, pool_labels = _columns(train_rows, spec, where_train)
    test_texts, test_labels = _columns(test_rows, spec, where_test)
    return RawSplits(pool_texts, pool_labels, test_texts, test_labels)
