"""`make ui`'s links: every experiment with runs, sweeps first, in MLflow's model-training view."""

from __future__ import annotations

import mlflow

from harness.ui import experiment_urls


def test_links_open_the_runs_table_in_the_model_training_view(mlflow_uri: str) -> None:
    client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
    trials = client.create_experiment("harness-trials")
    sweep = client.create_experiment("sweep-default")
    client.create_experiment("empty")  # no runs: not listed
    for exp in (trials, sweep):
        client.create_run(exp)
    rows = experiment_urls(mlflow_uri, "http://127.0.0.1:5000/")
    assert rows == [
        ("sweep-default", f"http://127.0.0.1:5000/#/experiments/{sweep}/runs?workflowType=machine_learning"),
        ("harness-trials", f"http://127.0.0.1:5000/#/experiments/{trials}/runs?workflowType=machine_learning"),
    ]  # fmt: skip
