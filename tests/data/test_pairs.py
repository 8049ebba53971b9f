"""Sentence pairs (`dataset.text_pair_column`): read, split and encoded together, from local
files and from a hub-shaped folder, and trained end to end on the tiny model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datafiles import pair_rows, write_hub_folder, write_pairs

from harness.config import load_spec
from harness.data import encode_splits, make_splits, read_dataset
from harness.data.tokenize import encode
from harness.models import load_tokenizer

SMALL = ("tracker=none", "model=tiny", "dataset.train_size=60", "dataset.val_size=20")


@pytest.fixture(scope="module")
def tokenizer(minilm_path: str) -> Any:
    return load_tokenizer(minilm_path)


def test_pairs_stay_aligned_through_the_split(tmp_path: Path) -> None:
    spec = load_spec([*SMALL, *write_pairs(tmp_path / "pairs")]).data
    raw = read_dataset(spec)
    assert raw.pool.pairs is not None and len(raw.pool.pairs) == len(raw.pool) == 120
    splits = make_splits(raw, spec)
    assert splits.train_pairs is not None and splits.val_pairs is not None
    assert splits.test_pairs == [r["hypothesis"] for r in pair_rows(24, 10_000)]
    truth = {r["premise"]: r["hypothesis"] for r in pair_rows(120)}
    assert [truth[t] for t in splits.train_texts] == splits.train_pairs
    assert [truth[t] for t in splits.val_texts] == splits.val_pairs
    assert splits.label_names == ["contradiction", "entailment"]


def test_a_pair_is_one_sequence_truncated_longest_first(tokenizer: Any) -> None:
    premise, hypothesis = " ".join(["word"] * 50), "short claim"
    single = encode(tokenizer, [premise], [0], 16)
    pair = encode(tokenizer, [premise], [0], 16, pairs=[hypothesis])
    ids = pair.input_ids[0, : int(pair.lengths[0])].tolist()
    assert len(ids) == 16 and ids.count(tokenizer.sep_token_id) == 2
    assert tokenizer.decode(ids, skip_special_tokens=True).endswith("short claim")  # kept
    assert pair.key != single.key  # caches keyed by content tell a pair from its first text


def test_encode_splits_encodes_every_split_as_pairs(tmp_path: Path, tokenizer: Any) -> None:
    spec = load_spec([*SMALL, *write_pairs(tmp_path / "pairs")]).data
    encoded = encode_splits(tokenizer, make_splits(read_dataset(spec), spec), spec.max_length)
    for split in encoded.values():
        assert all(
            row[: int(n)].tolist().count(tokenizer.sep_token_id) == 2
            for row, n in zip(split.input_ids, split.lengths, strict=True)
        )


def _hub_pairs(tmp_path: Path) -> Path:
    rename = [
        {"sentence1": r["premise"], "sentence2": r["hypothesis"], "label": i % 2}
        for i, r in enumerate(pair_rows(120))
    ]
    dev = [{**r, "sentence1": f"dev {r['sentence1']}"} for r in rename[:30]]
    test = [{**r, "sentence1": f"test {r['sentence1']}"} for r in rename[:24]]
    return write_hub_folder(
        tmp_path / "rte_like", {"train": rename, "validation": dev, "test": test}
    )


def test_hub_pairs_with_a_dev_split(tmp_path: Path) -> None:
    spec = load_spec(
        [
            *SMALL,
            "dataset=hub",
            f"dataset.hub_name={_hub_pairs(tmp_path)}",
            "dataset.text_column=sentence1",
            "dataset.text_pair_column=sentence2",
            "dataset.val_split=validation",
            "dataset.test_split=test",
        ]
    ).data
    raw = read_dataset(spec)  # the same datasets.load_dataset call an online user makes
    assert raw.val is not None and len(raw.val) == 30 and raw.val.pairs is not None
    splits = make_splits(raw, spec)
    assert len(splits.val_texts) == 20 and all(t.startswith("dev ") for t in splits.val_texts)
    assert len(splits.train_texts) == 60 and splits.label_names == ["0", "1"]


def test_pair_trials_run_on_local_files_and_a_hub_folder(tmp_path: Path, run_tiny: Any) -> None:
    local, _ = run_tiny(*write_pairs(tmp_path / "pairs"), "dataset.train_size=64")
    hub, _ = run_tiny(
        "dataset=hub",
        f"dataset.hub_name={_hub_pairs(tmp_path)}",
        "dataset.val_split=validation",
        "dataset.test_split=test",
        "dataset.text_column=sentence1",
        "dataset.text_pair_column=sentence2",
        "dataset.train_size=64",
        "dataset.val_size=30",
    )
    for rec in (local, hub):
        assert rec["status"] == "completed", rec.get("error")
    assert (local["train_size"], local["test_size"]) == (64, 24)
    assert (hub["val_size"], hub["test_size"]) == (30, 24)


def test_augmentation_that_adds_single_texts_refuses_pairs(tmp_path: Path, run_tiny: Any) -> None:
    from harness.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^augmentation: .*sentence pairs"):
        run_tiny(*write_pairs(tmp_path / "pairs"), "augmentation=eda")
