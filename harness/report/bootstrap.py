"""Second estimate of a difference: a hierarchical bootstrap over runs, then test examples.

The t interval sees only run-to-run spread; the test set is a sample too. Resampling runs
(pairs of runs sharing seed and data seed), then test examples — the same example indices for
both cells, which share the test set — carries both sources into one percentile interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from harness.report.load import decode_predictions

__all__ = ["BOOTSTRAP_RESAMPLES", "example_correctness", "hierarchical_bootstrap", "run_bootstrap"]

BOOTSTRAP_RESAMPLES = 2_000
_SEED = 20250601


def _correct(probs: object, labels: object) -> np.ndarray | None:
    """Per-example 0/1 correctness from stored probabilities; None when absent or malformed."""
    decoded = decode_predictions(probs, labels)
    if decoded is None:
        return None
    p, y = decoded
    return (p.argmax(axis=1) == y).astype(np.int8)


def example_correctness(records: pd.DataFrame) -> dict[str, np.ndarray]:
    """record_path -> per-test-example correctness, for completed confirmation records."""
    if "test_probs" not in records.columns or "test_labels" not in records.columns:
        return {}
    rows = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    out: dict[str, np.ndarray] = {}
    for _, row in rows.iterrows():
        if pd.isna(row["test_probs"]) or pd.isna(row["test_labels"]):
            continue
        found = _correct(row["test_probs"], row["test_labels"])
        if found is not None:
            out[str(row["record_path"])] = found
    return out


def hierarchical_bootstrap(
    a: Sequence[np.ndarray], b: Sequence[np.ndarray], resamples: int = BOOTSTRAP_RESAMPLES
) -> tuple[float, float]:
    """95 % percentile interval (points) of mean accuracy a − b, runs then examples resampled."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)  # runs x examples
    if diff.ndim != 2 or len(diff) < 2:
        return math.nan, math.nan
    runs, examples = diff.shape
    rng = np.random.default_rng(_SEED)
    run_weights = rng.multinomial(runs, np.full(runs, 1 / runs), size=resamples)
    stats = np.empty(resamples)
    for start in range(0, resamples, 250):  # chunks keep the example-weight matrix small
        stop = min(start + 250, resamples)
        ex_weights = rng.multinomial(examples, np.full(examples, 1 / examples), size=stop - start)
        per_example = run_weights[start:stop] @ diff  # (chunk x examples), summed over runs
        stats[start:stop] = (per_example * ex_weights).sum(axis=1) / (runs * examples)
    low, high = np.percentile(100 * stats, [2.5, 97.5])
    return float(low), float(high)


def run_bootstrap(
    diffs: Sequence[float], resamples: int = BOOTSTRAP_RESAMPLES
) -> tuple[float, float]:
    """95 % percentile interval of the mean paired difference, runs only (no per-example data)."""
    d = np.asarray(diffs, dtype=float)
    if len(d) < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(_SEED)
    idx = rng.integers(0, len(d), size=(resamples, len(d)))
    low, high = np.percentile(d[idx].mean(axis=1), [2.5, 97.5])
    return float(low), float(high)
