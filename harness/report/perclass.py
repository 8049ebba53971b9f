"""Per-class view for multi-class tasks: where a partial strategy loses, class by class.

For every group whose task has more than two labels, the best full cell and the best partial
cell (highest mean test score) are compared per class: F1 averaged over their confirmation
runs (from the stored `test_probs` / `test_labels`; names from `label_names`), and their
confusion matrices summed over runs. TREC's rare ABBR class is the kind of thing this shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from harness.report.load import decode_predictions

__all__ = [
    "Predictions",
    "PerClass",
    "confusion",
    "example_predictions",
    "per_class",
    "per_class_f1",
]


@dataclass(frozen=True)
class Predictions:
    """One confirmation run's test predictions: argmax class and true class per example."""

    predicted: np.ndarray
    labels: np.ndarray
    label_names: tuple[str, ...]

    @property
    def num_labels(self) -> int:
        return len(self.label_names)


def per_class_f1(predicted: np.ndarray, labels: np.ndarray, num_labels: int) -> np.ndarray:
    """F1 per class, as `harness.metrics.macro_f1` counts it (no predictions and no examples: 0)."""
    out = np.zeros(num_labels)
    for c in range(num_labels):
        tp = int(((predicted == c) & (labels == c)).sum())
        fp = int(((predicted == c) & (labels != c)).sum())
        fn = int(((predicted != c) & (labels == c)).sum())
        denominator = 2 * tp + fp + fn
        out[c] = 2 * tp / denominator if denominator else 0.0
    return out


def confusion(predicted: np.ndarray, labels: np.ndarray, num_labels: int) -> np.ndarray:
    """Counts: rows the true class, columns the predicted one."""
    matrix = np.zeros((num_labels, num_labels), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def _parse(row: pd.Series) -> Predictions | None:
    """A record's predictions, or None when absent or malformed."""
    decoded = decode_predictions(row["test_probs"], row["test_labels"])
    if decoded is None:
        return None
    probs, labels = decoded
    k = probs.shape[1]
    names: Any = None
    if "label_names" in row.index and isinstance(row["label_names"], str):
        try:
            names = json.loads(row["label_names"])
        except ValueError:
            names = None
    if not isinstance(names, list) or len(names) != k:
        names = [str(c) for c in range(k)]
    if labels.min() < 0 or labels.max() >= k:
        return None
    return Predictions(probs.argmax(axis=1), labels, tuple(str(n) for n in names))


def example_predictions(records: pd.DataFrame) -> dict[str, Predictions]:
    """record_path -> predictions of completed confirmation runs with more than two labels."""
    if "test_probs" not in records.columns or "test_labels" not in records.columns:
        return {}
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    out: dict[str, Predictions] = {}
    for _, row in done.iterrows():
        if pd.isna(row["test_probs"]) or pd.isna(row["test_labels"]):
            continue
        found = _parse(row)
        if found is not None and found.num_labels > 2:
            out[str(row["record_path"])] = found
    return out


@dataclass(frozen=True)
class PerClass:
    """The per-class comparison of one group: best full vs best partial cell."""

    group: str
    label_names: tuple[str, ...]
    support: np.ndarray  # test examples per class
    cells: tuple[pd.Series, pd.Series]  # (best full, best partial) summary rows
    f1: tuple[np.ndarray, np.ndarray]  # runs x classes, per cell
    matrices: tuple[np.ndarray, np.ndarray]  # confusion summed over runs, per cell


def _runs(row: pd.Series, predictions: dict[str, Predictions]) -> list[Predictions]:
    """The cell's runs that stored predictions (same label set as the first)."""
    found = [predictions[p] for p in row["run_paths"].values() if p in predictions]
    return [r for r in found if r.label_names == found[0].label_names] if found else []


def _f1_runs(runs: list[Predictions], k: int) -> np.ndarray:
    """Runs x classes F1."""
    return np.array([per_class_f1(r.predicted, r.labels, k) for r in runs])


def _summed(runs: list[Predictions], k: int) -> np.ndarray:
    """Confusion counts summed over runs."""
    total = np.zeros((k, k), dtype=int)
    for r in runs:
        total += confusion(r.predicted, r.labels, k)
    return total


def _best(rows: pd.DataFrame) -> pd.Series | None:
    """Highest mean; ties to the smaller size, then the alphabetically first strategy."""
    if rows.empty:
        return None
    return rows.sort_values(["mean", "train_size", "strategy"], ascending=[False, True, True]).iloc[
        0
    ]


def per_class(
    summary: pd.DataFrame, predictions: dict[str, Predictions], full: str = "full"
) -> list[PerClass]:
    """One comparison per multi-class group where both best cells stored predictions."""
    out = []
    ok = summary[summary["state"] == "ok"]
    for group, block in ok.groupby("group", sort=True):
        with_runs = block[
            np.array([bool(_runs(r, predictions)) for _, r in block.iterrows()], dtype=bool)
        ]
        best_full = _best(with_runs[with_runs["strategy"] == full])
        best_partial = _best(with_runs[with_runs["strategy"] != full])
        if best_full is None or best_partial is None:
            continue
        runs = (_runs(best_full, predictions), _runs(best_partial, predictions))
        names = runs[0][0].label_names
        if runs[1][0].label_names != names:
            continue
        k = len(names)
        out.append(
            PerClass(
                group=str(group),
                label_names=names,
                support=np.bincount(runs[0][0].labels, minlength=k),
                cells=(best_full, best_partial),
                f1=(_f1_runs(runs[0], k), _f1_runs(runs[1], k)),
                matrices=(_summed(runs[0], k), _summed(runs[1], k)),
            )
        )
    return out
