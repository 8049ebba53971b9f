"""Trust checks on one trial, from its curve and outcome: flags a report can cite.

- `still_improving`: the best evaluation is the last one and the step budget ran out.
- `not_converged`: the selected weights have not fit their own training data: training accuracy
  below validation accuracy, or a final training loss above 0.9 x ln(labels) (chance level).
- `near_chance`: test accuracy within 2 points of the test set's majority-class rate.
- `lr_at_boundary`: set by the sweep (it knows the search range), not here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["FLAGS", "NEAR_CHANCE_POINTS", "majority_rate", "record_flags"]

FLAGS = ("lr_at_boundary", "still_improving", "not_converged", "near_chance", "curve_falls")
NEAR_CHANCE_POINTS = 2.0


def majority_rate(labels: Sequence[int]) -> float:
    """Share of the most frequent label: what always predicting it would score."""
    return max(Counter(labels).values()) / len(labels) if labels else math.nan


def record_flags(
    rec: dict[str, Any], num_labels: int, test_labels: Sequence[int] | None
) -> list[str]:
    """The flags a finished trial's record earns (an empty list for a clean run)."""
    flags = []
    history = rec.get("history") or []
    if (
        rec.get("stopped_by") == "max_steps"
        and history
        and rec.get("best_step") == history[-1].get("step")
        and len(history) > 1
    ):
        flags.append("still_improving")
    train_acc, val_acc = rec.get("train_accuracy"), rec.get("val_accuracy")
    loss = rec.get("final_train_loss")
    if (train_acc is not None and val_acc is not None and train_acc < val_acc) or (
        loss is not None and num_labels > 1 and loss > 0.9 * math.log(num_labels)
    ):
        flags.append("not_converged")
    test_acc = rec.get("test_accuracy")
    if (  # class tasks only: others pass no test labels
        test_acc is not None
        and test_labels is not None
        and test_acc - majority_rate(test_labels) < NEAR_CHANCE_POINTS / 100
    ):
        flags.append("near_chance")
    return flags
