"""MLflow as the tracker: one run per trial, opened when the trial starts and closed when it ends,
children of a sweep cell's parent run. What goes in comes from the record's schema
(harness/mlflow_facts.py); mlflow is imported when a tracker is made, not when the CLI starts."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

__all__ = [
    "KIND",
    "MlflowTracker",
    "UNITS_NOTE",
    "VIEW_ID",
    "default_experiment",
    "default_uri",
    "sweep_uri",
]

# MLflow 3.17's UI opens an experiment without this tag on its GenAI overview; with it, on the
# runs table of a model-training experiment (the UI's ExperimentKind.CUSTOM_MODEL_DEVELOPMENT)
KIND = {"mlflow.experimentKind": "custom_model_development"}
UNITS_NOTE = (
    "Runs of the fine-tuning harness. Every accuracy / F1 metric is a fraction of 1 "
    "(0.8512 = 85.12 %), as in the records on disk: a trial's `test_accuracy`, a cell's "
    "`test_accuracy_mean` and its `_ci_low` / `_ci_high`, and `diff_vs_full` (-0.0486: 4.86 "
    "points below full fine-tuning). Times are in seconds (`_s`), memory in MiB (`_mb`)."
)
# the saved runs-table view the harness keeps on each experiment (MLflow's `viewStateShareKey`)
VIEW_ID = "harness-compare"
VIEW_PREFIX = "mlflow.sharedViewState."


def default_uri() -> str:
    """`tracker.uri: null`: $MLFLOW_TRACKING_URI as MLflow users expect, else the project's one
    SQLite store (MLflow >= 3.13 refuses a plain ./mlruns file store)."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def sweep_uri(out: str | Path, uri: str | None = None) -> str:
    """A sweep's store: its `tracker.uri`, else $MLFLOW_TRACKING_URI, else `<out>/mlflow.db`:
    the store travels with the sweep's folder (as its study storage does), so the same command
    resumes the sweep from any working directory."""
    return (
        uri
        or os.environ.get("MLFLOW_TRACKING_URI")
        or f"sqlite:///{Path(out).resolve() / 'mlflow.db'}"
    )


def default_experiment() -> str:
    """`tracker.experiment: null`: $MLFLOW_EXPERIMENT_NAME, else `harness-trials`."""
    return os.environ.get("MLFLOW_EXPERIMENT_NAME") or "harness-trials"


@contextlib.contextmanager
def _store_lock(uri: str) -> Iterator[None]:
    """An exclusive lock beside a SQLite store while MLflow opens it (and, for a fresh file,
    creates and migrates its schema); other stores need none."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    path = Path(uri.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.with_name(path.name + ".lock")):
        yield


class MlflowTracker:
    """One MLflow run per record; optional parent run (a sweep cell)."""

    def __init__(self, uri: str | None, experiment: str, source: str = "harness trial"):
        import mlflow

        logging.getLogger("mlflow").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
        self.uri = uri or default_uri()
        self.experiment = experiment
        self.source = source  # the command that made the runs: MLflow's Source column
        self._params: dict[str, set[str]] = {}  # run id -> params logged at its start
        self._experiments: dict[str, str] = {}  # name -> id, once known (and its kind set)
        # two processes creating one fresh SQLite store race on its schema: one at a time
        with _store_lock(self.uri):
            self._client = mlflow.MlflowClient(tracking_uri=self.uri)
            self._client.search_experiments(max_results=1)  # opens (creates, migrates) the store

    def _artifact_root(self) -> str | None:
        """Beside a SQLite store (not ./mlruns of whatever folder the command ran in)."""
        if not self.uri or not self.uri.startswith("sqlite:///"):
            return None
        return (Path(self.uri.removeprefix("sqlite:///")).resolve().parent / "mlartifacts").as_uri()

    def _experiment_id(self, name: str | None) -> str:
        """The experiment's id, created on first use as a model-training experiment whose
        description names the metrics' units (an older one gets the kind tag)."""
        name = name or self.experiment
        if name in self._experiments:
            return self._experiments[name]
        exp = self._client.get_experiment_by_name(name)
        if exp is None:
            tags = {**KIND, "mlflow.note.content": UNITS_NOTE}
            with contextlib.suppress(Exception):  # another worker may have created it meanwhile
                self._client.create_experiment(
                    name, artifact_location=self._artifact_root(), tags=tags
                )
            exp = self._client.get_experiment_by_name(name)
            assert exp is not None
        for key, value in KIND.items():
            if exp.tags.get(key) != value:
                self._client.set_experiment_tag(exp.experiment_id, key, value)
        self._experiments[name] = str(exp.experiment_id)
        return self._experiments[name]

    def _source(self) -> dict[str, str]:
        return {"mlflow.source.name": self.source, "mlflow.source.type": "LOCAL"}

    def _batch(self, run_id: str, metrics: list[Any], params: list[Any]) -> None:
        for i in range(0, max(len(params), len(metrics)), 100):  # MLflow's batch limits
            self._client.log_batch(run_id, metrics=metrics[i : i + 100], params=params[i : i + 100])

    # -- a trial's run -----------------------------------------------------------------------------
    def start_run(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        from harness import mlflow_facts as facts

        tags = {**self._source(), **{t.key: t.value for t in facts.record_tags(record)}}
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        run = self._client.create_run(
            self._experiment_id(experiment),
            run_name=run_name,
            tags=tags,
            start_time=facts.start_ms(record),
        )
        rid = str(run.info.run_id)
        params = facts.record_params(record)
        self._batch(rid, [], params)
        self._params[rid] = {p.key for p in params}
        self._client.log_inputs(rid, datasets=facts.dataset_inputs(record))
        return rid

    def log_evaluation(self, run_id: str | None, row: dict[str, Any]) -> None:
        from harness import mlflow_facts as facts

        if run_id:
            stamp = int(time.time() * 1000)
            self._batch(run_id, facts.curve_metrics(row, stamp), [])

    def finish_run(self, run_id: str | None, record: dict[str, Any], curve: bool = False) -> None:
        from harness import mlflow_facts as facts

        if not run_id:
            return
        logged = self._params.pop(run_id, set())
        params = [p for p in facts.record_params(record) if p.key not in logged]
        self._batch(run_id, facts.record_metrics(record, curve=curve), params)
        self.set_tags(run_id, {t.key: t.value for t in facts.record_tags(record)})
        config = yaml.safe_dump(record.get("config", {}), sort_keys=False)
        self._client.log_text(run_id, config, "config.yaml")
        text = json.dumps(record, indent=2, sort_keys=True, default=str)
        self._client.log_text(run_id, text, "record.json")
        self._client.set_terminated(
            run_id, status=facts.STATUS[record["status"]], end_time=facts.end_ms(record)
        )

    def log_record(
        self,
        record: dict[str, Any],
        run_name: str,
        parent_run_id: str | None = None,
        experiment: str | None = None,
    ) -> str | None:
        rid = self.start_run(record, run_name, parent_run_id, experiment)
        self.finish_run(rid, record, curve=True)
        return rid

    def set_tags(self, run_id: str | None, tags: dict[str, str]) -> None:
        if run_id:
            for key, value in tags.items():
                self._client.set_tag(run_id, key, value)

    def end_run(self, run_id: str | None, status: str) -> None:
        if run_id:
            self._client.set_terminated(run_id, status=status)

    def has_run(self, run_id: str | None) -> bool:
        """The run is in this store (and not deleted): a sweep resumed on another store lacks it."""
        if not run_id:
            return False
        try:
            return str(self._client.get_run(run_id).info.lifecycle_stage) == "active"
        except Exception:  # noqa: BLE001 - MlflowException: not in this store
            return False

    def is_open(self, run_id: str | None) -> bool:
        if not run_id:
            return False
        try:
            return str(self._client.get_run(run_id).info.status) == "RUNNING"
        except Exception:  # noqa: BLE001 - deleted or unknown: nothing to close
            return False

    def drop_runs(self, parent_run_id: str | None, run_name: str) -> int:
        if not parent_run_id:
            return 0
        found = self._client.search_runs(
            [self._client.get_run(parent_run_id).info.experiment_id],
            filter_string=f"tags.`mlflow.parentRunId` = '{parent_run_id}' and attributes.run_name = '{run_name}'",
        )
        for run in found:
            self._client.delete_run(run.info.run_id)
        return len(found)

    # -- a sweep cell's parent run, artifacts, the report's run --------------------------------------
    def start_parent(
        self,
        name: str,
        tags: dict[str, str],
        experiment: str | None = None,
        shared: dict[str, Any] | None = None,
    ) -> str | None:
        """A cell's parent run; `shared`: record facts every run of the cell has (model, dataset,
        config), logged as its children log them so the table's Dataset column is filled."""
        from harness import mlflow_facts as facts

        shared = shared or {}
        tags = {**self._source(), **tags}
        if shared.get("git_sha"):
            tags["mlflow.source.git.commit"] = str(shared["git_sha"])
        run = self._client.create_run(self._experiment_id(experiment), run_name=name, tags=tags)
        rid = str(run.info.run_id)
        if shared:
            self._batch(rid, [], facts.shared_params(shared))
            self._client.log_inputs(rid, datasets=facts.dataset_inputs(shared))
        return rid

    def set_view(self, experiment: str | None, columns: list[str], name: str) -> str:
        """Save the runs-table view `name` on the experiment (MLflow's saved views): these
        columns, runs in the order they were created; returns the id its URL names."""
        state = {  # the UI's own keys (its ExperimentPageUIState and search facets)
            "selectedColumns": columns,
            "columnOrder": columns,  # else metrics come in alphabetical order
            "columnWidths": dict.fromkeys(columns, 150),
            "orderByKey": "attributes.start_time",
            "orderByAsc": True,  # the cells in grid order
            "runsExpanded": {},  # children folded under their cell
        }
        now = int(time.time() * 1000)
        envelope = {"name": name, "createdAt": now, "updatedAt": now, "state": json.dumps(state)}
        exp = self._experiment_id(experiment)
        self._client.set_experiment_tag(exp, VIEW_PREFIX + VIEW_ID, json.dumps(envelope))
        return VIEW_ID

    def log_summary(
        self, run_id: str | None, params: dict[str, str], metrics: dict[str, float]
    ) -> None:
        from mlflow.entities import Metric, Param

        if not run_id:
            return
        logged = set(self._client.get_run(run_id).data.params)  # a resumed cell: already there
        stamp = int(time.time() * 1000)
        self._batch(
            run_id,
            [Metric(k, v, stamp, 0) for k, v in metrics.items()],
            [Param(k, v) for k, v in params.items() if k not in logged],
        )

    def end_parent(self, run_id: str | None, status: str = "FINISHED") -> None:
        if run_id:
            self._client.set_terminated(run_id, status=status)

    def log_artifact(self, run_id: str | None, path: str | Path) -> None:
        if run_id:
            self._client.log_artifact(run_id, str(path))

    def cell_runs(self) -> list[tuple[str, dict[str, str]]]:
        """The experiment's cell parent runs: (run id, tags incl. the cell's grid values)."""
        found = self._client.search_runs(
            [self._experiment_id(None)], filter_string="tags.phase = 'cell'", max_results=5000
        )
        return [(str(r.info.run_id), dict(r.data.tags)) for r in found]

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
