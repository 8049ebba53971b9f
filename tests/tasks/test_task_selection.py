"""Which task runs and with which head: the dataset's `task:` key, `task=`, the task's head."""

from __future__ import annotations

from pathlib import Path

import pytest
from datafiles import write_pairs

from harness.config import load_spec
from harness.errors import ConfigError
from harness.trial import run_trial


def test_conll2003_alone_picks_token_classification_and_its_head(conll_folder: Path) -> None:
    spec = load_spec(["tracker=none", "dataset=conll2003", f"dataset.data_dir={conll_folder}"])
    assert spec.data.task == "token_classification" and spec.choices["head"] == "token_linear"
    assert spec.head_cfg["_target_"].endswith("TokenLinearHead")
    assert spec.train.selection_metric == "entity_f1"
    assert spec.overrides == (
        "tracker=none",
        "dataset=conll2003",
        f"dataset.data_dir={conll_folder}",
    )


def test_head_keys_apply_to_the_task_head(conll_folder: Path) -> None:
    spec = load_spec(["dataset=conll2003", f"dataset.data_dir={conll_folder}", "head.dropout=0.3"])
    assert spec.choices["head"] == "token_linear" and spec.head_cfg["dropout"] == 0.3


def test_an_explicit_head_still_wins_and_is_checked(conll_folder: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(["dataset=conll2003", f"dataset.data_dir={conll_folder}", "head=mlp"])
    assert err.value.key == "head" and err.value.allowed == "token_linear"
    with pytest.raises(ConfigError) as err:
        load_spec(["head=span"])  # a span head on sentiment
    assert err.value.key == "head" and "span" not in str(err.value.allowed).split(", ")


def test_a_second_text_column_picks_the_pair_task(tmp_path: Path) -> None:
    spec = load_spec(write_pairs(tmp_path / "pairs"))
    assert spec.data.task == "sentence_pair_classification" and spec.choices["head"] == "linear"
    with pytest.raises(ConfigError) as err:  # told single texts, given pairs
        load_spec([*write_pairs(tmp_path / "pairs"), "task=sequence_classification"])
    assert err.value.key == "dataset.text_pair_column"
    with pytest.raises(ConfigError) as err:  # told pairs, given single texts
        load_spec(["task=sentence_pair_classification"])
    assert err.value.key == "dataset.text_pair_column"


def test_task_group_overrides_the_dataset_key(squad_dir: Path) -> None:
    with pytest.raises(ConfigError) as err:  # sst2 is no SQuAD file
        load_spec(["task=extractive_qa"])
    assert err.value.key == "dataset.format"
    with pytest.raises(ConfigError) as err:
        load_spec(["task=nope"])
    assert err.value.key == "task" and "extractive_qa" in str(err.value)


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("dataset.doc_stride=100", "dataset.doc_stride"),  # >= half of max_length 128
        ("dataset.n_best=0", "dataset.n_best"),
        ("augmentation=eda", "augmentation"),
    ],
)
def test_qa_bad_options_name_their_key(qa_overrides: list[str], extra: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec([*qa_overrides, extra])
    assert err.value.key == key


def test_class_weights_are_refused_for_spans(qa_overrides: list[str]) -> None:
    """Span positions are no classes: weighted_ce fails when the loss is built, naming `loss`."""
    with pytest.raises(ConfigError) as err:
        run_trial(load_spec([*qa_overrides, "loss=weighted_ce"]))
    assert err.value.key == "loss"
