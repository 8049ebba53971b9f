"""Trackers are sinks: they receive the facts the record on disk holds, while a trial runs
(`start_run`, `log_evaluation`) and when it ends (`finish_run`). The contract, the no-op tracker,
and where MLflow's store and experiment come from; MLflow itself: harness/mlflow_tracker.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from harness.config import TrackerSpec
from harness.mlflow_tracker import MlflowTracker, default_experiment, default_uri, sweep_uri

__all__ = [
    "MlflowTracker",
    "NoTracker",
    "Tracker",
    "default_experiment",
    "default_uri",
    "make_tracker",
    "sweep_uri",
]


class Tracker(Protocol):
    @property
    def uri(self) -> str | None: ...

    def start_run(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        """A RUNNING run with the facts known at the start (params, tags, dataset)."""

    def log_evaluation(self, run_id: str | None, row: dict[str, Any]) -> None:
        """One evaluation of the curve, at its step, stamped now."""

    def finish_run(self, run_id: str | None, record: dict[str, Any], curve: bool = False) -> None:
        """The rest of the record (and the curve when it was not logged live); FINISHED, KILLED
        (pruned or interrupted) or FAILED, with the trial's end time."""

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        """A finished record as one run (a record written before its run was logged)."""

    def set_tags(self, run_id: str | None, tags: dict[str, str]) -> None: ...

    def end_run(self, run_id: str | None, status: str) -> None:
        """Close a run without a record (an interrupted trial): KILLED."""

    def has_run(self, run_id: str | None) -> bool:
        """The run is in this tracker's store (a parent run logged to another store is not)."""

    def is_open(self, run_id: str | None) -> bool:
        """The run exists and is still RUNNING (its trial died before closing it)."""

    def drop_runs(self, parent_run_id: str | None, run_name: str) -> int:
        """Delete the runs of this name under a parent: an earlier, dead attempt's."""

    def start_parent(
        self,
        name: str,
        tags: dict[str, str],
        experiment: str | None = None,
        shared: dict[str, Any] | None = None,
    ) -> str | None:
        """A sweep cell's parent run; `shared`: the record facts all its runs have (model,
        dataset, config)."""

    def set_view(self, experiment: str | None, columns: list[str], name: str) -> str | None:
        """Save a runs-table view (these columns) on the experiment; returns its id."""

    def log_summary(
        self, run_id: str | None, params: dict[str, str], metrics: dict[str, float]
    ) -> None:
        """A sweep cell's summary on its parent run."""

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None: ...

    def log_artifact(self, run_id: str | None, path: str | Path) -> None: ...


class NoTracker:
    """Records on disk only."""

    uri: str | None = None

    def start_run(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        return None

    def log_evaluation(self, run_id: str | None, row: dict[str, Any]) -> None:
        return None

    def finish_run(self, run_id: str | None, record: dict[str, Any], curve: bool = False) -> None:
        return None

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        return None

    def set_tags(self, run_id: str | None, tags: dict[str, str]) -> None:
        return None

    def drop_runs(self, parent_run_id: str | None, run_name: str) -> int:
        return 0

    def end_run(self, run_id: str | None, status: str) -> None:
        return None

    def has_run(self, run_id: str | None) -> bool:
        return True  # nothing is logged: nothing to recreate

    def is_open(self, run_id: str | None) -> bool:
        return False

    def start_parent(
        self,
        name: str,
        tags: dict[str, str],
        experiment: str | None = None,
        shared: dict[str, Any] | None = None,
    ) -> str | None:
        return None

    def set_view(self, experiment: str | None, columns: list[str], name: str) -> str | None:
        return None

    def log_summary(
        self, run_id: str | None, params: dict[str, str], metrics: dict[str, float]
    ) -> None:
        return None

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None:
        return None

    def log_artifact(self, run_id: str | None, path: str | Path) -> None:
        return None


def make_tracker(spec: TrackerSpec, source: str = "harness trial") -> Tracker:
    """`source`: the command whose runs these are (MLflow's Source column)."""
    if spec.name == "none":
        return NoTracker()
    return MlflowTracker(spec.uri, spec.experiment or default_experiment(), source)
