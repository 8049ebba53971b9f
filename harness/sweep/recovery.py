"""Adopting a dead worker's trial whose record was written: told to Optuna from the record and
logged to MLflow once, with any half-logged run the dead worker left behind deleted first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial

from harness.record import read_record
from harness.sweep.runs import log_record, tell_record
from harness.sweep.session import Sweep
from harness.sweep.spec import Cell

__all__ = ["adopter"]


def _drop_orphans(sweep: Sweep, cell: Cell, name: str) -> None:
    """Delete the runs a dead worker logged for a record before their id reached the record."""
    client = getattr(sweep.tracker, "_client", None)  # MlflowTracker only
    parent = sweep.search[cell.id].user_attrs.get("mlflow_parent_run_id")
    if client is None or not parent:
        return
    found = client.search_runs(
        [client.get_run(parent).info.experiment_id],
        filter_string=f"tags.`mlflow.parentRunId` = '{parent}' and attributes.run_name = '{name}'",
    )
    for run in found:
        client.delete_run(run.info.run_id)


def adopter(sweep: Sweep, cell: Cell, study: optuna.Study) -> Callable[[FrozenTrial], bool]:
    """A dead worker's trial whose record was fully written is kept, not re-run."""

    def adopt(t: FrozenTrial) -> bool:
        path = Path(t.user_attrs.get("record", ""))
        if not path.is_file():
            return False
        rec = read_record(path)
        tag = f"#{t.number}" if rec.get("phase") == "search" else f"seed={rec.get('seed')}"
        name = f"{cell.id} {rec.get('phase')} {tag}"  # the name run_search/run_confirm log under
        if not rec.get("mlflow_run_id"):
            _drop_orphans(sweep, cell, name)
        rec = log_record(sweep, cell, rec, path, name)
        tell_record(study, t, rec, sweep.spec.metric)
        return True

    return adopt
