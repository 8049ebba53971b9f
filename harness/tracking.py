"""MLflow as a sink: it receives the facts already written to the record on disk."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Protocol

import yaml

from harness.config import TrackerSpec

__all__ = [
    "MlflowTracker",
    "NoTracker",
    "Tracker",
    "default_experiment",
    "default_uri",
    "make_tracker",
    "PARAM_KEYS",
    "METRIC_KEYS",
]

PARAM_KEYS = (
    "model",
    "dataset",
    "strategy",
    "optimizer",
    "scheduler",
    "head",
    "loss",
    "train_size",
    "seed",
    "lr",
    "weight_decay",
    "dropout",
    "epochs",
    "device",
    "precision",
    "frozen_prefix",
)
METRIC_KEYS = (
    "val_accuracy",
    "val_macro_f1",
    "test_accuracy",
    "test_macro_f1",
    "val_entity_f1",  # token classification only
    "test_entity_f1",
    "val_f1",  # extractive QA only (no accuracy there)
    "test_f1",
    "val_exact_match",
    "test_exact_match",
    "train_accuracy",
    "train_loss",
    "overfit_gap",
    "trainable_params",
    "total_params",
    "train_time_s",
    "cache_time_s",
    "train_samples_per_s",
    "peak_memory_mb",
    "checkpoint_mb",
    "wall_time_s",
    "best_epoch",
    "epochs_run",
)
TAG_KEYS = ("strategy", "train_size", "seed", "status", "phase", "sweep", "cell_id")


def default_uri() -> str:
    """`tracker.uri: null`: $MLFLOW_TRACKING_URI as MLflow users expect, else the project's one
    SQLite store (MLflow >= 3.13 refuses a plain ./mlruns file store)."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def default_experiment() -> str:
    """`tracker.experiment: null`: $MLFLOW_EXPERIMENT_NAME, else `harness-trials`."""
    return os.environ.get("MLFLOW_EXPERIMENT_NAME") or "harness-trials"


class Tracker(Protocol):
    @property
    def uri(self) -> str | None: ...

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None: ...

    def start_parent(
        self, name: str, tags: dict[str, str], experiment: str | None = None
    ) -> str | None: ...

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None: ...

    def log_artifact(self, run_id: str | None, path: str | Path) -> None: ...


class NoTracker:
    """Records on disk only."""

    uri: str | None = None

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        return None

    def start_parent(
        self, name: str, tags: dict[str, str], experiment: str | None = None
    ) -> str | None:
        return None

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None:
        return None

    def log_artifact(self, run_id: str | None, path: str | Path) -> None:
        return None


class MlflowTracker:
    """One MLflow run per record; optional parent run (a sweep cell)."""

    def __init__(self, uri: str | None, experiment: str):
        import mlflow

        logging.getLogger("mlflow").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
        self.uri = uri or default_uri()
        self.experiment = experiment
        self._client = mlflow.MlflowClient(tracking_uri=self.uri)

    def _artifact_root(self) -> str | None:
        """Beside a SQLite store (not ./mlruns of whatever folder the command ran in)."""
        if not self.uri or not self.uri.startswith("sqlite:///"):
            return None
        return (Path(self.uri.removeprefix("sqlite:///")).resolve().parent / "mlartifacts").as_uri()

    def _experiment_id(self, name: str | None) -> str:
        name = name or self.experiment
        exp = self._client.get_experiment_by_name(name)
        if exp is not None:
            return str(exp.experiment_id)
        with contextlib.suppress(Exception):  # another worker may have created it meanwhile
            return str(
                self._client.create_experiment(name, artifact_location=self._artifact_root())
            )
        found = self._client.get_experiment_by_name(name)
        assert found is not None
        return str(found.experiment_id)

    def start_parent(
        self, name: str, tags: dict[str, str], experiment: str | None = None
    ) -> str | None:
        run = self._client.create_run(self._experiment_id(experiment), run_name=name, tags=tags)
        return str(run.info.run_id)

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None:
        if run_id:
            self._client.set_terminated(run_id, status=status)

    def log_artifact(self, run_id: str | None, path: str | Path) -> None:
        if run_id:
            self._client.log_artifact(run_id, str(path))

    def report_run(self, sweep: str) -> str:
        """The sweep's one `report` run (created on first use, reused after)."""
        exp = self._experiment_id(None)
        found = self._client.search_runs(
            [exp], filter_string="tags.phase = 'report'", max_results=1
        )
        if found:
            return str(found[0].info.run_id)
        run = self._client.create_run(
            exp, run_name="report", tags={"sweep": sweep, "phase": "report"}
        )
        self._client.set_terminated(run.info.run_id)
        return str(run.info.run_id)

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        from mlflow.entities import Metric, Param

        tags = {k: str(record[k]) for k in TAG_KEYS if record.get(k) is not None}
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        run = self._client.create_run(self._experiment_id(experiment), run_name=run_name, tags=tags)
        rid = run.info.run_id
        params = [Param(k, str(record[k])) for k in PARAM_KEYS if record.get(k) is not None]
        ts = 0
        metrics = [
            Metric(k, float(record[k]), ts, 0)
            for k in METRIC_KEYS
            if isinstance(record.get(k), int | float)
        ]
        for row in record.get("history", []):
            for k in (
                "train_loss", "val_accuracy", "val_macro_f1", "val_loss", "val_entity_f1", "val_f1",
                "val_exact_match",
            ):  # fmt: skip
                if isinstance(row.get(k), int | float):
                    metrics.append(Metric(f"epoch/{k}", float(row[k]), ts, int(row["step"])))
        self._client.log_batch(rid, metrics=metrics, params=params)
        self._client.log_text(
            rid, yaml.safe_dump(record.get("config", {}), sort_keys=False), "config.yaml"
        )
        self._client.log_text(
            rid, json.dumps(record, indent=2, sort_keys=True, default=str), "record.json"
        )
        status = {"completed": "FINISHED", "pruned": "KILLED", "failed": "FAILED"}[record["status"]]
        self._client.set_terminated(rid, status=status)
        return str(rid)


def make_tracker(spec: TrackerSpec) -> Tracker:
    if spec.name == "none":
        return NoTracker()
    return MlflowTracker(spec.uri, spec.experiment or default_experiment())
