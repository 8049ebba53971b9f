"""A finished cell's summary on its MLflow parent run, so the runs table compares full and
partial cells without expanding children: the confirmed test metric's mean and 95 % t interval
over the confirmation runs (fractions of 1, as the records and the children's `test_*`), their
count, the chosen configuration and its cost (seconds, parameters)."""

from __future__ import annotations

import math
import statistics
from typing import Any

from scipy import stats

from harness.record import read_record
from harness.sweep.session import Sweep
from harness.sweep.spec import Cell

__all__ = ["cell_summary", "log_cell_summary"]


def cell_summary(sweep: Sweep, cell: Cell) -> tuple[dict[str, str], dict[str, float]]:
    """(params, metrics) of a cell from its completed confirmation records."""
    test = "test_" + sweep.spec.metric.removeprefix("val_")
    folder = sweep.record_path(cell, "confirm", "x").parent
    recs = [read_record(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    done = [r for r in recs if r.get("status") == "completed" and r.get(test) is not None]
    params = {k: str(v) for k, v in cell.values}
    if not done:
        return params, {"confirm_runs": 0.0}
    scores = [float(r[test]) for r in done]
    mean = statistics.fmean(scores)
    half = (
        float(stats.t.ppf(0.975, len(scores) - 1))
        * statistics.stdev(scores)
        / math.sqrt(len(scores))
        if len(scores) > 1
        else math.nan
    )
    params.update({f"best.{k}": f"{v:.4g}" for k, v in (done[0].get("params") or {}).items()})
    metrics: dict[str, Any] = {
        "confirm_runs": float(len(scores)),
        f"{test}_mean": mean,
        f"{test}_ci_low": mean - half,
        f"{test}_ci_high": mean + half,
        "train_time_s_mean": statistics.fmean(float(r["train_time_s"]) for r in done),
        "trainable_params": float(done[0]["trainable_params"]),
    }
    return params, {k: v for k, v in metrics.items() if math.isfinite(v)}


def log_cell_summary(sweep: Sweep, cell: Cell, run_id: str | None) -> None:
    """Best effort: MLflow is a sink, the records stay the source of truth."""
    if run_id:
        params, metrics = cell_summary(sweep, cell)
        sweep.tracker.log_summary(run_id, params, metrics)
