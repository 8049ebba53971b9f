"""Reading local files: tsv, csv and jsonl give the same rows; problems name the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from datafiles import write_hub_folder

from harness.config import load_spec
from harness.data import read_dataset
from harness.errors import ConfigError


def test_every_format_reads_the_same_rows(local_dataset: Callable[..., list[str]]) -> None:
    raws = [
        read_dataset(load_spec(["tracker=none", *local_dataset(fmt)]).data)
        for fmt in ("tsv", "csv", "jsonl")
    ]
    assert raws[0] == raws[1] == raws[2]
    assert len(raws[0].pool) == 120 and len(raws[0].test) == 24 and raws[0].val is None
    assert raws[0].pool.labels[:2] == ["pos", "neg"] and raws[0].pool.pairs is None


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
    with pytest.raises(ConfigError, match=r"dataset.test_path: .*empty.tsv has no rows"):
        read_dataset(spec.data)


def _hub_folder(tmp_path: Path, rows: dict[str, list[dict[str, object]]]) -> Path:
    return write_hub_folder(tmp_path / "hub_like", rows)


def test_hub_path_loads_through_datasets(tmp_path: Path) -> None:
    train = [{"sentence": f"text {i}", "label": i % 2} for i in range(30)]
    dev = [{"sentence": f"dev {i}", "label": i % 2} for i in range(6)]
    folder = _hub_folder(tmp_path, {"train": train, "validation": dev})
    spec = load_spec(
        [
            "tracker=none",
            "dataset=hub",
            f"dataset.hub_name={folder}",
            "dataset.text_column=sentence",
            "dataset.train_size=20",
            "dataset.val_size=5",
        ]
    )
    raw = read_dataset(spec.data)  # the same datasets.load_dataset call an online user makes
    assert raw.pool.texts == [r["sentence"] for r in train]
    assert raw.test.texts == [r["sentence"] for r in dev]
    assert raw.pool.labels[:2] == ["0", "1"] and raw.val is None


def test_hub_split_that_is_not_there_names_the_key(tmp_path: Path) -> None:
    folder = _hub_folder(tmp_path, {"train": [{"text": "a", "label": 0}]})
    spec = load_spec(["tracker=none", "dataset=hub", f"dataset.hub_name={folder}"])
    with pytest.raises(ConfigError, match=r"dataset.test_split: split 'validation' not in .*train"):
        read_dataset(spec.data)


def test_unloadable_hub_name_names_the_key(tmp_path: Path) -> None:
    spec = load_spec(["tracker=none", "dataset=hub", f"dataset.hub_name={tmp_path / 'nothing'}"])
    with pytest.raises(ConfigError, match="dataset.hub_name: cannot load"):
        read_dataset(spec.data)
