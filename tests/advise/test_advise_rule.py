"""The rule: the cheapest strategy within the margin of the best with probability >= 0.9,
else the one most often best."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.advise.rule import recommend, rule_text

NAMES = ["full", "lora", "head_only"]
TIME = [60.0, 45.0, 1.0]
PARAMS = [22e6, 75e3, 770]


def _draws(means: list[float], sd: float, n: int = 4000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(means) + rng.normal(0.0, sd, (n, len(means)))


def test_equivalent_strategies_give_the_cheapest() -> None:
    choice = recommend(_draws([80.0, 80.0, 80.0], 0.1), NAMES, TIME, PARAMS, margin=1.0)
    assert choice.strategy == "head_only" and choice.by == "within_margin"
    assert choice.p_within["head_only"] >= 0.9


def test_a_strategy_better_by_more_than_the_margin_is_named() -> None:
    choice = recommend(_draws([83.0, 80.0, 80.0], 0.3), NAMES, TIME, PARAMS, margin=1.0)
    assert choice.strategy == "full" and choice.by == "within_margin"
    assert choice.p_within["lora"] < 0.01 and choice.p_best["full"] > 0.99


def test_the_cheapest_of_several_within_the_margin_wins() -> None:
    choice = recommend(_draws([83.0, 82.8, 75.0], 0.1), NAMES, TIME, PARAMS, margin=1.0)
    assert choice.strategy == "lora"


def test_when_none_is_sure_the_most_often_best_is_named() -> None:
    choice = recommend(_draws([81.0, 80.0, 70.0], 3.0), NAMES, TIME, PARAMS, margin=1.0)
    assert choice.by == "most_often_best"
    assert choice.strategy == max(choice.p_best, key=lambda s: choice.p_best[s])
    assert sum(choice.p_best.values()) == pytest.approx(1.0)


def test_equal_times_are_broken_by_trainable_parameters() -> None:
    draws = _draws([80.0, 80.0, 80.0], 0.05)
    choice = recommend(draws, NAMES, [10.0, 10.0, 10.0], PARAMS, margin=1.0)
    assert choice.strategy == "head_only"


def test_an_unknown_cost_sorts_last() -> None:
    draws = _draws([80.0, 80.0, 80.0], 0.05)
    choice = recommend(draws, NAMES, [10.0, 20.0, math.nan], [1.0, 2.0, math.nan], margin=1.0)
    assert choice.strategy == "full"


def test_the_rule_is_stated_with_its_margin() -> None:
    assert "within 0.5 points of the best" in rule_text(0.5)
    assert "within 1 point of the best" in rule_text(1.0)
    assert "probability >= 0.9" in rule_text(1.0)
