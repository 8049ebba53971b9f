"""Reading local files: tsv, csv and jsonl give the same rows; problems name the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.config import load_spec
from harness.data import read_dataset
from harness.errors import ConfigError


def test_every_format_reads_the_same_rows(local_dataset: Callable[..., list[str]]) -> None:
    raws = [
        read_dataset(load_spec(["tracker=none", *local_dataset(fmt)]).data)
        for fmt in ("tsv", "csv", "jsonl")
    ]
    assert raws[0] == raws[1] == raws[2]
    assert len(raws[0].pool_texts) == 120 and len(raws[0].test_texts) == 24
    assert raws[0].pool_labels[:2] == ["pos", "neg"]


def test_format_is_inferred_from_the_extension_or_refused(tmp_path: Path) -> None:
    odd = tmp_path / "train.txt"
    odd.write_text("text\tlabel\na\t1\n")
    spec = load_spec(
        ["tracker=none", "dataset=local", f"dataset.train_path={odd}", f"dataset.test_path={odd}"]
    )
    with pytest.raises(
        ConfigError, match=r"dataset.format: cannot infer the format .*\(allowed: tsv, csv, jsonl\)"
    ):
        read_dataset(spec.data)


def test_a_missing_column_lists_the_columns_there(local_dataset: Callable[..., list[str]]) -> None:
    spec = load_spec(["tracker=none", *local_dataset("csv"), "dataset.text_column=sentence"])
    with pytest.raises(
        ConfigError,
        match=r"dataset.text_column: column 'sentence' not found in dataset.train_path \(allowed: text, label\)",
    ):
        read_dataset(spec.data)


def test_an_empty_file_is_refused(tmp_path: Path, local_dataset: Callable[..., list[str]]) -> None:
    overrides = local_dataset("tsv")
    empty = tmp_path / "empty.tsv"
    empty.write_text("text\tlabel\n")
    spec = load_spec(["tracker=none", *overrides, f"dataset.test_path={empty}"])
    with pytest.raises(ConfigError, match="dataset.test_path: the file has no rows"):
        read_dataset(spec.data)
