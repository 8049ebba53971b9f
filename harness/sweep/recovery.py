"""A dead worker's trial: with its record written, adopted — told to Optuna from the record and
logged to MLflow once (a run left open is closed, a half-logged one deleted first); without, the
run it left open is deleted before the claim is retried."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import optuna
from optuna.trial import FrozenTrial

from harness.record import read_record
from harness.sweep.names import run_name
from harness.sweep.runs import log_record, tell_record
from harness.sweep.session import Sweep
from harness.sweep.spec import Cell

__all__ = ["adopter"]


def adopter(sweep: Sweep, cell: Cell, study: optuna.Study) -> Callable[[FrozenTrial], bool]:
    """A dead worker's trial whose record was fully written is kept, not re-run."""

    def adopt(t: FrozenTrial) -> bool:
        phase = "search" if study is sweep.search[cell.id] else "confirm"
        name = run_name(cell, phase, t.number, t.user_attrs.get("seed"))
        parent = sweep.search[cell.id].user_attrs.get("mlflow_parent_run_id")
        path = Path(t.user_attrs.get("record", ""))
        if not path.is_file():  # retried under a new claim: the dead attempt's run goes
            sweep.tracker.drop_runs(parent, name)
            return False
        rec = read_record(path)
        if not rec.get("mlflow_run_id"):  # half-logged runs from before the id reached the record
            sweep.tracker.drop_runs(parent, name)
        rec = log_record(sweep, cell, rec, path, name)
        tell_record(study, t, rec, sweep.spec.metric)
        return True

    return adopt
