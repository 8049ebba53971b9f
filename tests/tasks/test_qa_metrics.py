"""Exact match and F1 exactly as the official SQuAD v1.1 script computes them (as fractions)."""

from __future__ import annotations

import pytest

from harness.metrics_qa import exact_match, normalize_answer, squad_f1, squad_scores


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("The Cat's hat!", "cats hat"),  # lower case, punctuation dropped, article removed
        ("  an   apple, a pear ", "apple pear"),  # articles a/an, whitespace collapsed
        ("Theatre and anthem", "theatre and anthem"),  # articles only as whole words
        ("U.S.-based", "usbased"),  # punctuation is deleted, not replaced by a space
        ("the", ""),
    ],
)
def test_normalize_answer(text: str, normal: str) -> None:
    assert normalize_answer(text) == normal


def test_exact_match_after_normalization() -> None:
    assert exact_match("the Eiffel Tower.", "Eiffel tower") == 1.0
    assert exact_match("Eiffel", "Eiffel Tower") == 0.0


def test_f1_by_hand() -> None:
    # pred {in, northern, hills} vs gold {northern, hills}: P = 2/3, R = 1 -> F1 = 0.8
    assert squad_f1("in the northern hills", "northern hills") == pytest.approx(0.8)
    # pred {cod} vs gold {cod, and, haddock}: P = 1, R = 1/3 -> F1 = 0.5
    assert squad_f1("cod", "cod and haddock") == pytest.approx(0.5)
    # tokens count with multiplicity: [x, x, y] vs [x, y] share 2, P = 2/3, R = 1 -> 0.8
    assert squad_f1("x x y", "x y") == pytest.approx(0.8)
    assert squad_f1("", "anything") == 0.0 and squad_f1("the", "a") == 0.0  # nothing left


def test_scores_take_the_best_gold_answer_per_question() -> None:
    scores = squad_scores(
        ["1953", "cod", "twice a week"],
        [["after the storm of 1953", "1953"], ["cod and haddock"], ["twice a day"]],
    )
    # EM: 1, 0, 0; F1: 1, 0.5, {twice, week} vs {twice, day}: 1 common, P = R = 1/2 -> 0.5
    assert scores["exact_match"] == pytest.approx(1 / 3)
    assert scores["f1"] == pytest.approx((1 + 0.5 + 0.5) / 3)


def test_scores_need_one_prediction_per_question() -> None:
    with pytest.raises(ValueError):
        squad_scores(["a"], [["a"], ["b"]])
