"""Trust flags of one trial, from its curve and outcome."""

from __future__ import annotations

import math
from typing import Any

import pytest

from harness.trust import majority_rate, record_flags


def rec(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "task": "sequence_classification",
        "stopped_by": "plateau",
        "best_step": 40,
        "history": [{"step": 20}, {"step": 40}, {"step": 60}],
        "train_accuracy": 0.99,
        "val_accuracy": 0.85,
        "final_train_loss": 0.05,
        "test_accuracy": 0.84,
    }
    return {**base, **kw}


def test_a_clean_run_has_no_flags() -> None:
    assert record_flags(rec(), 2, [0, 1, 1, 0]) == []


def test_best_at_the_last_evaluation_with_the_budget_spent_is_still_improving() -> None:
    flags = record_flags(rec(stopped_by="max_steps", best_step=60), 2, [0, 1])
    assert flags == ["still_improving"]
    # the same best step, but the run stopped on a plateau elsewhere: not flagged
    assert record_flags(rec(best_step=60), 2, [0, 1]) == []


@pytest.mark.parametrize(
    "kw",
    [{"train_accuracy": 0.7, "val_accuracy": 0.8}, {"final_train_loss": 0.9 * math.log(2) + 0.01}],
)
def test_a_model_that_has_not_fit_its_training_data_is_not_converged(kw: dict[str, Any]) -> None:
    assert record_flags(rec(**kw), 2, [0, 1]) == ["not_converged"]


def test_test_accuracy_near_the_majority_rate_is_near_chance() -> None:
    labels = [1] * 64 + [0] * 36  # majority 64 %
    assert majority_rate(labels) == 0.64
    assert record_flags(rec(test_accuracy=0.655), 2, labels) == ["near_chance"]
    assert record_flags(rec(test_accuracy=0.70), 2, labels) == []
    assert record_flags(rec(test_accuracy=0.655), 2, None) == []  # no test evaluation: no verdict
