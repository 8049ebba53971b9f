"""Contract over every `conf/dataset/` option: it composes, the vendored ones read with their
published sizes, and every suite dataset trains through `harness trial` on the tiny model."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from datafiles import write_hub_folder

from harness.cli import main
from harness.config import DataSpec, group_options, load_spec
from harness.data import make_splits, read_dataset
from harness.paths import package_data
from harness.record import read_record
from harness.tasks import load_task

SUITE = ("sst2", "sst5", "trec", "subj", "cr", "mpqa")
# rows of train / dev (None: carved from train) / test, as published (senteval/README.md)
SIZES = {
    "sst2": (6920, 872, 1821),
    "sst5": (8544, 1101, 2210),
    "trec": (5452, None, 500),
    "subj": (9000, None, 1000),
    "cr": (3394, None, 377),
    "mpqa": (9543, None, 1060),
    "glue_sst2": (10_000, None, 872),
}
CLASSES = {"sst2": 2, "sst5": 5, "trec": 6, "subj": 2, "cr": 2, "mpqa": 2, "glue_sst2": 2}
METRIC = {
    "sst2": "accuracy",
    "subj": "accuracy",
    "glue_sst2": "accuracy",
    "sst5": "macro_f1",
    "trec": "macro_f1",
    "cr": "macro_f1",
    "mpqa": "macro_f1",
}


@pytest.fixture
def needs(tmp_path: Path, write_conll: Callable[..., Path]) -> dict[str, list[str]]:
    """The overrides an option needs to compose: a path or a hub name (tiny fixtures)."""
    hub = write_hub_folder(tmp_path / "hub", {"train": [{"text": "a", "label": 0}]})
    return {
        "local": ["dataset.train_path=train.csv", "dataset.test_path=test.csv"],
        "hub": [f"dataset.hub_name={hub}"],
        "conll2003": [f"dataset.data_dir={write_conll(tmp_path / 'conll')}"],  # head: the task's
        "squad": ["dataset.train_path=train.json", "dataset.test_path=dev.json"],
    }


def test_the_suite_and_the_default_are_options() -> None:
    options = group_options("dataset")
    assert set(SIZES) | {"local", "hub", "conll2003", "squad"} == set(options)
    assert load_spec(["tracker=none"]).data.name == "sst2"  # the default dataset


@pytest.mark.parametrize("name", group_options("dataset"))
def test_every_option_composes(name: str, needs: dict[str, list[str]]) -> None:
    data = load_spec(["tracker=none", f"dataset={name}", *needs.get(name, [])]).data
    assert isinstance(data, DataSpec) and data.name == name
    assert data.selection_metric in (None, *load_task(data.task).selection_metrics)
    assert data.selection_metric == METRIC.get(name)  # None for the generic options
    assert 8 <= data.max_length <= 512


@pytest.mark.parametrize("name", sorted(SIZES))
def test_vendored_datasets_read_with_their_published_sizes(name: str) -> None:
    data = load_spec(["tracker=none", f"dataset={name}", "dataset.val_size=8"]).data
    raw = read_dataset(data)
    train, dev, test = SIZES[name]
    assert (len(raw.pool), len(raw.test)) == (train, test)
    assert (None if raw.val is None else len(raw.val)) == dev
    splits = make_splits(raw, data)
    assert len(splits.label_names) == CLASSES[name]
    assert all(t.strip() for t in splits.train_texts[:5] + splits.test_texts[:5])
    if dev:  # the whole dev split validates by default
        full = load_spec(["tracker=none", f"dataset={name}"]).data
        assert full.val_size == dev


def test_the_suite_is_small_and_attributed() -> None:
    folder = Path(package_data("senteval"))
    assert sum(p.stat().st_size for p in folder.rglob("*.csv")) < 5_000_000
    readme = (folder / "README.md").read_text()
    for source in ("Socher", "Li & Roth", "Pang & Lee", "Hu & Liu", "Wiebe"):
        assert source in readme


@pytest.mark.parametrize("name", SUITE)
def test_vendored_suite_equals_the_shared_copy(name: str, shared_datasets: Path) -> None:
    for shared in sorted((shared_datasets / "senteval" / name).glob("*.csv")):
        vendored = Path(package_data(f"senteval/{name}/{shared.name}"))
        assert vendored.read_bytes() == shared.read_bytes(), vendored


@pytest.mark.parametrize("name", SUITE)
def test_every_suite_dataset_trains_through_the_cli(
    name: str, tiny_overrides: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["trial", *tiny_overrides, f"dataset={name}", "dataset.train_size=32"])
    out, err = capsys.readouterr()
    assert code == 0, err
    found = re.search(r"record: (\S+)", out)
    assert found, out
    rec = read_record(Path(found.group(1)))
    assert rec["status"] == "completed" and rec["dataset"] == name
    assert (rec["train_size"], rec["val_size"], rec["test_size"]) == (32, 32, SIZES[name][2])
