"""Entity-level NER scores against hand-computed cases and the conlleval / seqeval convention."""

from __future__ import annotations

import pytest

from harness.metrics_ner import entity_scores, entity_spans


def test_spans_of_a_plain_bio_sentence() -> None:
    tags = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG"]
    assert entity_spans(tags) == [("PER", 0, 1), ("LOC", 3, 3), ("ORG", 5, 7)]


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["O", "I-PER", "I-PER"], [("PER", 1, 2)]),  # I- after O starts an entity
        (["I-LOC"], [("LOC", 0, 0)]),  # ... also at the sentence start
        (["B-PER", "I-LOC"], [("PER", 0, 0), ("LOC", 1, 1)]),  # type change: a new entity
        (["I-PER", "I-ORG", "I-ORG"], [("PER", 0, 0), ("ORG", 1, 2)]),
        (["B-PER", "B-PER"], [("PER", 0, 0), ("PER", 1, 1)]),  # B- always starts one
        (["O", "O"], []),
        ([], []),
    ],
)
def test_conlleval_chunk_boundaries(tags: list[str], spans: list[tuple[str, int, int]]) -> None:
    assert entity_spans(tags) == spans


def test_hand_computed_micro_scores() -> None:
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-MISC", "I-MISC"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O", "B-MISC", "O"]]
    # gold: PER(0-1) LOC(3) | ORG(0) MISC(2-3); pred: PER(0-1) ok, ORG(3) wrong type,
    # ORG(0) ok, MISC(2) wrong span -> 2 hits of 4 predicted, 4 gold
    scores = entity_scores(gold, pred)
    assert scores == pytest.approx(
        {"entity_precision": 0.5, "entity_recall": 0.5, "entity_f1": 0.5}
    )


def test_unequal_precision_and_recall() -> None:
    gold = [["B-PER", "O", "B-LOC", "O", "B-ORG", "B-MISC"]]  # 4 entities
    pred = [["B-PER", "O", "B-LOC", "O", "B-PER", "O"]]  # 3 predicted, 2 right
    scores = entity_scores(gold, pred)
    assert scores["entity_precision"] == pytest.approx(2 / 3)
    assert scores["entity_recall"] == pytest.approx(2 / 4)
    assert scores["entity_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))  # 4/7


def test_seqeval_readme_example() -> None:
    """seqeval's documented example: f1_score == 0.50 (the MISC span starts one word early)."""
    gold = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    pred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]
    assert entity_scores(gold, pred)["entity_f1"] == pytest.approx(0.5)


def test_conlleval_counts_an_i_started_entity_as_a_match() -> None:
    """conlleval reads `O I-PER I-PER` as one PER entity, so it matches gold `O B-PER I-PER`."""
    gold = [["O", "B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["O", "I-PER", "I-PER", "O", "I-LOC"]]
    assert entity_scores(gold, pred)["entity_f1"] == pytest.approx(1.0)


def test_spans_must_match_within_the_same_sentence() -> None:
    gold = [["B-PER"], ["O"]]
    pred = [["O"], ["B-PER"]]  # same span and type, but another sentence
    assert entity_scores(gold, pred)["entity_f1"] == 0.0


def test_no_entities_scores_zero_and_perfect_scores_one() -> None:
    gold = [["B-PER", "O"]]
    assert entity_scores(gold, [["O", "O"]]) == {
        "entity_precision": 0.0,
        "entity_recall": 0.0,
        "entity_f1": 0.0,
    }
    assert entity_scores(gold, gold)["entity_f1"] == 1.0


def test_sentence_count_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="1 gold sentences but 2 predicted"):
        entity_scores([["O"]], [["O"], ["O"]])
