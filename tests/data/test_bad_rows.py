"""Rows a trial must not train on are refused while reading, naming the key and the file.

(tests/bad_inputs.py runs the same cases through `harness trial`: one line, exit 2.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.config import load_spec
from harness.data import make_splits, read_dataset
from harness.errors import ConfigError

Local = Callable[..., list[str]]


def _read(*overrides: str) -> None:
    spec = load_spec(["tracker=none", *overrides]).data
    make_splits(read_dataset(spec), spec)


def test_an_empty_text_names_the_file_and_row(tmp_path: Path, local_dataset: Local) -> None:
    train = tmp_path / "train.csv"
    train.write_text("text,label\ngood,pos\n,neg\n   ,pos\nbad,neg\n")
    with pytest.raises(
        ConfigError,
        match=r"^dataset.train_path: .*train.csv: row 2: column 'text' is empty \(2 such rows\)$",
    ):
        _read(*local_dataset("csv"), f"dataset.train_path={train}")


def test_an_empty_label_is_refused_too(tmp_path: Path, local_dataset: Local) -> None:
    test = tmp_path / "test.jsonl"
    test.write_text(json.dumps({"text": "b", "label": "pos"}) + "\n" + json.dumps({"text": "a"}))
    with pytest.raises(ConfigError, match=r"dataset.test_path: .*: row 2: column 'label' is empty"):
        _read(*local_dataset("jsonl"), f"dataset.test_path={test}")


def test_a_header_without_rows_is_refused(tmp_path: Path, local_dataset: Local) -> None:
    empty = tmp_path / "dev.csv"
    empty.write_text("text,label\n")
    with pytest.raises(ConfigError, match=r"^dataset.val_path: .*dev.csv has no rows$"):
        _read(*local_dataset("csv"), f"dataset.val_path={empty}")


def test_a_missing_pair_column_lists_the_columns(local_dataset: Local) -> None:
    with pytest.raises(
        ConfigError,
        match=r"dataset.text_pair_column: column 'sentence2' not found in dataset.train_path "
        r"\(allowed: text, label\)",
    ):
        _read(*local_dataset("csv"), "dataset.text_pair_column=sentence2")


def test_numeric_labels_in_one_split_and_names_in_another(
    tmp_path: Path, local_dataset: Local
) -> None:
    test = tmp_path / "test.csv"
    test.write_text("text,label\ngreat,1\nawful,0\n")
    with pytest.raises(
        ConfigError,
        match=r"^dataset.label_column: labels are numbers in .*test.csv \(0, 1\) but text in "
        r".*train.csv \(neg, pos\): every split must use the same label names$",
    ):
        _read(*local_dataset("csv"), f"dataset.test_path={test}")


@pytest.mark.parametrize("split", ["test", "validation"])
def test_a_label_unseen_in_training_is_refused(local_dataset: Local, split: str) -> None:
    if split == "test":
        overrides = local_dataset("tsv", test_labels=("pos", "neg", "meh"))
    else:  # a dev file with the extra label
        overrides = local_dataset("tsv", n_dev=12)
        dev = Path(overrides[-1].split("=", 1)[1])
        dev.write_text(dev.read_text() + "dev odd one\tmeh\n")
    with pytest.raises(
        ConfigError,
        match=rf"dataset.label_column \({split} split\): label values \['meh'\] do not occur",
    ):
        _read(*overrides, "dataset.val_size=12", "dataset.train_size=90")


@pytest.mark.parametrize(
    ("override", "key", "message"),
    [
        ("dataset.text_pair_column=text", "dataset.text_pair_column", "is the text column"),
        ("dataset.val_split=validation", "dataset.val_split", "does not apply to format=auto"),
        ("dataset.selection_metric=entity_f1", "dataset.selection_metric", "unknown value"),
    ],
)
def test_impossible_data_settings_fail_at_compose_time(
    local_dataset: Local, override: str, key: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}: .*{message}"):
        load_spec(["tracker=none", *local_dataset("csv"), override])


def test_a_dev_split_that_is_the_test_split_is_refused(local_dataset: Local) -> None:
    overrides = local_dataset("csv")
    test_path = overrides[2].split("=", 1)[1]
    with pytest.raises(ConfigError, match=r"^dataset.val_path: .* is the test split"):
        load_spec(["tracker=none", *overrides, f"dataset.val_path={test_path}"])
    with pytest.raises(ConfigError, match=r"^dataset.val_split: 'validation' is the test split"):
        load_spec(
            ["tracker=none", "dataset=hub", "dataset.hub_name=x", "dataset.val_split=validation"]
        )
