"""The user's file split once: a seeded held-out test split, validation carved by the dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from datafiles import text_rows, write_rows

from harness.advise.pilot.data import prepare_data
from harness.errors import ConfigError


def test_a_file_is_split_into_test_and_training_pool_once(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "my.csv", text_rows(500), "csv")
    found = prepare_data(data, None, tmp_path / "out", "text", "label")
    assert (found.test_rows, found.pool) == (100, 400)
    assert found.val_size == 57 and found.max_train == 343
    assert found.labels == 2 and found.metric == "val_accuracy"
    train = found.train_path.read_text(encoding="utf-8").splitlines()
    test = found.test_path.read_text(encoding="utf-8").splitlines()
    assert len(train) == 401 and len(test) == 101 and not set(train[1:]) & set(test[1:])
    stamp = found.train_path.stat().st_mtime_ns
    again = prepare_data(data, None, tmp_path / "out", "text", "label")
    assert again == found and found.train_path.stat().st_mtime_ns == stamp  # a resume keeps it
    assert f"dataset.train_path={found.train_path}" in found.overrides()


def test_a_given_test_file_is_used_as_it_is(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "tr.tsv", text_rows(300, ("a", "b", "c")), "tsv")
    test = write_rows(tmp_path / "te.tsv", text_rows(60, ("a", "b", "c")), "tsv")
    found = prepare_data(data, test, tmp_path / "out", "text", "label")
    assert found.train_path == data.resolve() and found.test_path == test.resolve()
    assert (found.pool, found.test_rows, found.labels) == (300, 60, 3)
    assert found.metric == "val_macro_f1"  # more than two labels
    assert not (tmp_path / "out" / "data").exists()


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "my.csv", text_rows(200), "csv")
    with pytest.raises(ConfigError, match=r"^text_column: column 'sentence' not found"):
        prepare_data(data, None, tmp_path / "out", "sentence", "label")


def test_too_few_rows_are_refused(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "my.jsonl", text_rows(40), "jsonl")
    with pytest.raises(ConfigError, match=r"^--data: .* has 40 rows: too few"):
        prepare_data(data, None, tmp_path / "out", "text", "label")
