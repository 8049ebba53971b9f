"""MLflow runs are live: RUNNING with their params from the trial's start, each evaluation logged
when it happens, FINISHED / KILLED with the end time; an interrupted trial's run is closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import optuna
import pytest

from harness.tracking import MlflowTracker

RunTrial = Callable[..., tuple[dict[str, Any], Path]]


def _only_run(uri: str, experiment: str) -> Any:
    client = mlflow.MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None
    runs = client.search_runs([exp.experiment_id])
    assert len(runs) == 1
    return runs[0]


def test_a_run_is_live_while_the_trial_trains(run_tiny: RunTrial, mlflow_uri: str) -> None:
    client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
    seen: list[tuple[str, int, dict[str, str]]] = []

    def watch(step: int, value: float) -> None:  # the loop's evaluation hook, mid-training
        run = _only_run(mlflow_uri, "live")
        curve = client.get_metric_history(run.info.run_id, "epoch/val_accuracy")
        seen.append((run.info.status, len(curve), run.data.params))

    tracker = MlflowTracker(mlflow_uri, "live")
    rec, _ = run_tiny("train.epochs=2", "train.eval_every_steps=1", tracker=tracker, report=watch)
    assert rec["status"] == "completed" and len(seen) == len(rec["history"]) >= 2
    assert all(status == "RUNNING" for status, _, _ in seen)
    assert [n for _, n, _ in seen] == list(range(1, len(seen) + 1))  # one more point each time
    assert seen[0][2]["config.model.name_or_path"] == rec["config"]["model"]["name_or_path"]
    run = _only_run(mlflow_uri, "live")
    assert run.info.run_id == rec["mlflow_run_id"] and run.info.status == "FINISHED"
    assert run.info.end_time - run.info.start_time == pytest.approx(
        1000 * rec["wall_time_s"], abs=1500
    )
    assert run.data.params["batch_size"] == str(rec["batch_size"])  # known only after the start
    curve = client.get_metric_history(run.info.run_id, "epoch/val_accuracy")
    assert [m.step for m in curve] == [h["step"] for h in rec["history"]]  # logged once each


def test_a_pruned_trial_ends_killed(run_tiny: RunTrial, mlflow_uri: str) -> None:
    def prune(step: int, value: float) -> None:
        raise optuna.TrialPruned()

    rec, _ = run_tiny(tracker=MlflowTracker(mlflow_uri, "pruned"), report=prune)
    assert rec["status"] == "pruned"
    assert _only_run(mlflow_uri, "pruned").info.status == "KILLED"


def test_an_interrupted_trial_closes_its_run_and_writes_no_record(
    run_tiny: RunTrial, mlflow_uri: str, tmp_path: Path
) -> None:
    def interrupt(step: int, value: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_tiny(tracker=MlflowTracker(mlflow_uri, "ctrl-c"), report=interrupt)
    run = _only_run(mlflow_uri, "ctrl-c")
    assert run.info.status == "KILLED" and run.data.tags["interrupted"] == "true"
    assert not list((tmp_path / "runs").glob("*.json"))
