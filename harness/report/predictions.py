"""Per-example test predictions of the confirmation runs, kept beside a report.

The tidy table drops the per-example columns (they would make it unreadable), yet the runs x
examples bootstrap, seed ensembles and confusion matrices need them: `predictions.npz` keeps
them, compressed (probabilities as float16), keyed by each record's path, so a committed report
can be re-analysed without the sweep's records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.report.load import decode_predictions

__all__ = ["PREDICTIONS_NPZ", "read_predictions", "write_predictions"]

PREDICTIONS_NPZ = "predictions.npz"


def write_predictions(records: pd.DataFrame, out_dir: Path) -> Path | None:
    """Every completed confirmation run's test probabilities and labels; None when none has them."""
    if "test_probs" not in records.columns or "test_labels" not in records.columns:
        return None
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    arrays: dict[str, np.ndarray] = {}
    paths: list[str] = []
    for _, row in done.iterrows():
        decoded = decode_predictions(row["test_probs"], row["test_labels"])
        if decoded is None:
            continue
        probs, labels = decoded
        arrays[f"probs_{len(paths)}"] = probs.astype(np.float16)
        arrays[f"labels_{len(paths)}"] = labels.astype(np.int32)
        paths.append(str(row["record_path"]))
    if not paths:
        return None
    path = Path(out_dir) / PREDICTIONS_NPZ
    arrays["record_path"] = np.array(paths)
    savez: Any = np.savez_compressed  # numpy's stub reads **arrays as allow_pickle
    savez(path, **arrays)
    return path


def read_predictions(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """record path -> (probabilities [N x labels], labels [N]) from a `predictions.npz`."""
    with np.load(path, allow_pickle=False) as data:
        return {
            str(p): (data[f"probs_{i}"].astype(np.float64), data[f"labels_{i}"])
            for i, p in enumerate(data["record_path"])
        }
