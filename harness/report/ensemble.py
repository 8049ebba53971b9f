"""Ensembles of a cell's confirmation seeds: average their test probabilities, score the mean.

Derived from the records (each holds `test_probs` and `test_labels`), so nothing extra is
stored; the per-example columns are dropped from the tidy table afterwards."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

__all__ = ["add_ensemble"]

_PER_EXAMPLE = ("test_probs", "test_labels")


def _ensemble_accuracy(block: pd.DataFrame) -> float:
    probs = [np.asarray(json.loads(p), dtype=float) for p in block["test_probs"]]
    labels = np.asarray(json.loads(block["test_labels"].iloc[0]), dtype=int)
    if (
        len(probs) < 2
        or any(p.shape != probs[0].shape for p in probs)
        or len(labels) != len(probs[0])
    ):
        return float("nan")
    return float((np.mean(probs, axis=0).argmax(axis=1) == labels).mean())


def add_ensemble(records: pd.DataFrame) -> pd.DataFrame:
    """`ensemble_test_accuracy` on every completed confirm row of a cell with >= 2 seeds."""
    out = records.copy()
    if "test_probs" in out.columns:
        ok = (
            (out["phase"] == "confirm") & (out["status"] == "completed") & out["test_probs"].notna()
        )
        for _, block in out[ok].groupby(
            ["group", "grid_strategy", "grid_train_size"], dropna=False
        ):
            out.loc[block.index, "ensemble_test_accuracy"] = _ensemble_accuracy(block)
    return out.drop(columns=[c for c in _PER_EXAMPLE if c in out.columns])
