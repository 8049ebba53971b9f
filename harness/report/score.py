"""The metric a report ranks by: the sweep's selection metric (`search.metric`), on every split.

A sequence-classification sweep selects on `val_accuracy`, a token-classification one on
`val_entity_f1`, an extractive-QA one on `val_f1`; the report compares cells on the same metric's test value. `add_score` copies
that metric into generic columns (`val_score`, `test_score`, `train_score`, `score_gap`,
`ensemble_score`) so every section reads one set of names and prints `Score.label`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from harness.report.errors import ReportError

__all__ = ["ACCURACY", "SCORE_NAMES", "Score", "add_score", "score_of"]

SCORE_NAMES = {
    "accuracy": "accuracy",
    "macro_f1": "macro-F1",
    "entity_f1": "entity F1",
    "f1": "F1",  # extractive QA (SQuAD token F1)
    "exact_match": "exact match",
}


@dataclass(frozen=True)
class Score:
    name: str = "accuracy"  # the record key without its split prefix

    @property
    def label(self) -> str:
        return SCORE_NAMES[self.name]

    @property
    def short(self) -> str:
        """For table headers: `acc` for accuracy, else the label."""
        return "acc" if self.name == "accuracy" else self.label

    def key(self, split: str) -> str:
        return f"{split}_{self.name}"


ACCURACY = Score()


def score_of(meta: dict[str, Any]) -> Score:
    """The sweep file's selection metric (default val_accuracy) as a report score."""
    search = meta.get("search") if isinstance(meta.get("search"), dict) else {}
    metric = str((search or {}).get("metric") or "val_accuracy")
    name = metric.removeprefix("val_")
    if not metric.startswith("val_") or name not in SCORE_NAMES:
        allowed = [f"val_{n}" for n in SCORE_NAMES]
        raise ReportError(
            f"search.metric: cannot rank by {metric!r} (allowed: {', '.join(allowed)})"
        )
    return Score(name)


def add_score(records: pd.DataFrame, score: Score) -> pd.DataFrame:
    """The score's val/test/train values, the train-val gap and the seed ensemble's score."""
    out = records.copy()
    for split in ("val", "test", "train"):
        key = score.key(split)
        out[f"{split}_score"] = out[key].astype("float64") if key in out else math.nan
    out["score_gap"] = out["train_score"] - out["val_score"]
    # seed ensembles average predicted probabilities: they have an accuracy, no other score
    has_ensemble = score.name == "accuracy" and "ensemble_test_accuracy" in out
    out["ensemble_score"] = out["ensemble_test_accuracy"] if has_ensemble else math.nan
    return out
