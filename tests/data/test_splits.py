"""Nested subsampling, validation (the dev split, or a fixed carve), and the label map."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from harness.config import DataSpec, load_spec
from harness.data import make_splits, read_dataset
from harness.data.sources import RawSplits, Rows
from harness.errors import ConfigError


@pytest.fixture(scope="module")
def sst2() -> DataSpec:
    return load_spec(["model=tiny", "tracker=none", "dataset.val_size=200"]).data


def _sized(spec: DataSpec, train_size: int, **kw: int) -> DataSpec:
    return dataclasses.replace(spec, train_size=train_size, **kw)


def _rows(prefix: str, n: int, labels: tuple[str, ...]) -> Rows:
    return Rows([f"{prefix} {i}" for i in range(n)], [labels[i % len(labels)] for i in range(n)])


def _raw(n: int, labels: tuple[str, ...] = ("neg", "pos"), dev: int = 0) -> RawSplits:
    """A pool of n distinct texts (text i has label i % len(labels)), a 10-row test split and,
    with `dev`, a dev split of that many rows."""
    val = _rows("dev", dev, labels) if dev else None
    return RawSplits(pool=_rows("text", n, labels), test=_rows("test", 10, labels), val=val)


def test_smaller_training_sets_are_nested_in_larger_ones(sst2: DataSpec) -> None:
    raw = read_dataset(sst2)
    assert (len(raw.pool), len(raw.test)) == (6920, 1821)
    assert raw.val is not None and len(raw.val) == 872
    small, large = make_splits(raw, _sized(sst2, 100)), make_splits(raw, _sized(sst2, 300))
    assert len(small.train_texts) == 100 and len(large.train_texts) == 300
    assert small.train_texts == large.train_texts[:100]
    assert small.train_labels == large.train_labels[:100]
    assert small.val_texts == large.val_texts and small.val_labels == large.val_labels
    assert len(small.val_texts) == 200 and set(small.val_texts) <= set(raw.val.texts)
    assert small.test_texts == large.test_texts and len(small.test_texts) == 1821
    assert small.label_names == ["negative", "positive"]


def test_a_dev_split_validates_and_data_seed_moves_only_training() -> None:
    raw = _raw(300, dev=50)
    spec = _sized(load_spec(["tracker=none"]).data, 100, val_size=50)
    base, other = make_splits(raw, spec), make_splits(raw, dataclasses.replace(spec, data_seed=1))
    assert base.val_texts == other.val_texts == raw.val.texts  # the whole dev split, in order
    assert base.train_texts != other.train_texts  # another draw of training examples
    # the whole pool is available for training: nothing is carved
    assert len(make_splits(raw, _sized(spec, 300)).train_texts) == 300
    with pytest.raises(
        ConfigError, match=r"dataset.train_size: 301 is larger .*300 rows \(allowed"
    ):
        make_splits(raw, _sized(spec, 301))


def test_val_size_caps_the_dev_split_with_a_fixed_nested_sample() -> None:
    raw = _raw(300, dev=50)
    spec = _sized(load_spec(["tracker=none"]).data, 100, val_size=20)
    small = make_splits(raw, spec)
    larger = make_splits(raw, dataclasses.replace(spec, val_size=40, data_seed=7))
    assert len(small.val_texts) == 20 and set(small.val_texts) < set(larger.val_texts)
    assert small.val_texts == sorted(small.val_texts, key=lambda t: int(t.split()[1]))
    with pytest.raises(
        ConfigError,
        match=r"dataset.val_size: 51 is larger than the dev split \(dataset.val_path\), which has "
        r"50 rows \(allowed: 1\.\.50\)",
    ):
        make_splits(raw, dataclasses.replace(spec, val_size=51))


def test_validation_is_fixed_and_disjoint_from_training() -> None:
    raw = _raw(1000)
    spec = _sized(load_spec(["tracker=none"]).data, 100, val_size=200)
    runs = [make_splits(raw, _sized(spec, n)) for n in (100, 300, 800)]
    for splits in runs:
        assert splits.val_texts == runs[0].val_texts
        assert not set(splits.val_texts) & set(splits.train_texts)
        assert len(set(splits.train_texts)) == len(splits.train_texts)  # no row twice
        assert splits.test_texts == raw.test.texts  # the test split is never touched
    # texts keep their labels through the shuffle
    lookup = dict(zip(raw.pool.texts, raw.pool.labels, strict=True))
    last = runs[-1]
    assert [last.label_names[y] for y in last.train_labels] == [lookup[t] for t in last.train_texts]


def test_data_seed_moves_the_carve() -> None:
    raw = _raw(500)
    spec = _sized(load_spec(["tracker=none"]).data, 100, val_size=100)
    other = dataclasses.replace(spec, data_seed=1)
    assert make_splits(raw, spec).val_texts != make_splits(raw, other).val_texts
    assert make_splits(raw, spec).train_texts == make_splits(raw, spec).train_texts


def test_train_size_up_to_the_pool_minus_validation() -> None:
    spec = _sized(load_spec(["tracker=none"]).data, 70, val_size=30)
    assert len(make_splits(_raw(100), spec).train_texts) == 70
    with pytest.raises(
        ConfigError, match=r"dataset.train_size: 71 is larger .*\(allowed: 1\.\.70\)"
    ):
        make_splits(_raw(100), _sized(spec, 71))


def test_label_map_orders_numbers_numerically_and_words_alphabetically() -> None:
    spec = _sized(load_spec(["tracker=none"]).data, 30, val_size=10)
    numeric = make_splits(_raw(40, ("10", "2", "0", "1")), spec)
    assert numeric.label_names == ["0", "1", "2", "10"]
    words = make_splits(_raw(40, ("pos", "neg", "neutral")), spec)
    assert words.label_names == ["neg", "neutral", "pos"]
    assert [words.label_names[y] for y in words.test_labels] == _raw(
        40, ("pos", "neg", "neutral")
    ).test.labels


def test_one_class_and_unseen_test_labels_are_refused() -> None:
    spec = _sized(load_spec(["tracker=none"]).data, 30, val_size=10)
    with pytest.raises(ConfigError, match=r"dataset.label_column: needs at least 2 classes"):
        make_splits(_raw(40, ("pos",)), spec)
    raw = dataclasses.replace(
        _raw(40), test=Rows([f"t{i}" for i in range(10)], ["pos"] * 9 + ["meh"])
    )
    with pytest.raises(ConfigError, match=r"\(test split\): label values \['meh'\] do not occur"):
        make_splits(raw, spec)


def _tsv_rows(path: Path) -> Counter[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return Counter(
            (r["sentence"], r["label"])
            for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        )


def test_vendored_glue_sst2_is_a_sample_of_the_shared_copy(shared_datasets: Path) -> None:
    full = shared_datasets / "sst2"
    glue = load_spec(["tracker=none", "dataset=glue_sst2"]).data
    assert glue.test_path is not None and glue.train_path is not None
    assert _tsv_rows(Path(glue.test_path)) == _tsv_rows(full / "dev.tsv")  # the whole dev split
    vendored, shared = _tsv_rows(Path(glue.train_path)), _tsv_rows(full / "train.tsv")
    assert sum(vendored.values()) == 10_000 and sum(shared.values()) == 67_349
    assert not vendored - shared  # every vendored row (with multiplicity) is a shared row


def test_nesting_on_the_full_shared_sst2(shared_datasets: Path) -> None:
    files = shared_datasets / "sst2"
    base = load_spec(
        [
            "tracker=none",
            "dataset=local",
            f"dataset.train_path={files / 'train.tsv'}",
            f"dataset.test_path={files / 'dev.tsv'}",
            "dataset.text_column=sentence",
        ]
    ).data
    raw = read_dataset(base)
    assert len(raw.pool) == 67_349
    small, large = make_splits(raw, _sized(base, 100)), make_splits(raw, _sized(base, 5000))
    assert small.train_texts == large.train_texts[:100] and small.val_texts == large.val_texts
