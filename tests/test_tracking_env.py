"""MLflow's own environment variables: an override > $MLFLOW_TRACKING_URI /
$MLFLOW_EXPERIMENT_NAME > the project's defaults (sqlite:///<cwd>/mlflow.db, harness-trials)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import TrackerSpec, load_spec
from harness.tracking import default_experiment, default_uri, make_tracker


@pytest.fixture
def no_mlflow_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_without_the_env(no_mlflow_env: None, tmp_path: Path) -> None:
    spec = load_spec(["model=tiny", "tracker=mlflow"])
    assert spec.tracker == TrackerSpec(name="mlflow", uri=None, experiment=None)
    assert default_uri() == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert default_experiment() == "harness-trials"


def test_env_is_honoured_and_an_override_wins(
    no_mlflow_env: None, monkeypatch: pytest.MonkeyPatch, mlflow_uri: str
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "from-env")
    tracker = make_tracker(load_spec(["model=tiny", "tracker=mlflow"]).tracker)
    assert tracker.uri == mlflow_uri
    assert tracker.experiment == "from-env"  # type: ignore[attr-defined]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///never-opened.db")
    explicit = load_spec(
        ["model=tiny", "tracker=mlflow", f"tracker.uri={mlflow_uri}", "tracker.experiment=mine"]
    )
    tracker = make_tracker(explicit.tracker)
    assert tracker.uri == mlflow_uri
    assert tracker.experiment == "mine"  # type: ignore[attr-defined]


def test_a_trial_logs_where_the_env_says(
    no_mlflow_env: None, monkeypatch: pytest.MonkeyPatch, mlflow_uri: str, run_tiny: object
) -> None:
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "env-experiment")
    spec = load_spec(["model=tiny", "tracker=mlflow"])
    rec, _ = run_tiny("tracker=mlflow", tracker=make_tracker(spec.tracker))  # type: ignore[operator]
    client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
    experiment = client.get_experiment_by_name("env-experiment")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert [r.info.run_id for r in runs] == [rec["mlflow_run_id"]]
