"""`make ui`: where to look. MLflow 3.17's UI opens an experiment on its GenAI overview unless the
URL asks for the model-training view (`workflowType=machine_learning`), so print that link for
every experiment in the store (sweeps first, newest first) before the UI starts."""

from __future__ import annotations

import sys

__all__ = ["experiment_url", "experiment_urls"]

VIEW = "workflowType=machine_learning"


def experiment_url(base: str, experiment_id: str) -> str:
    """The experiment's runs table in the model-training view."""
    return f"{base.rstrip('/')}/#/experiments/{experiment_id}/runs?{VIEW}"


def experiment_urls(tracking_uri: str, base: str) -> list[tuple[str, str]]:
    """(experiment name, URL) for every experiment of the store with at least one run."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    every = client.search_experiments(order_by=["creation_time DESC"])
    found = [e for e in every if client.search_runs([e.experiment_id], max_results=1)]
    found.sort(key=lambda e: not e.name.startswith("sweep-"))  # stable: newest first within
    return [(e.name, experiment_url(base, e.experiment_id)) for e in found]


def main(argv: list[str]) -> int:
    tracking_uri, base = argv[0], argv[1] if len(argv) > 1 else "http://127.0.0.1:5000"
    rows = experiment_urls(tracking_uri, base)
    if not rows:
        print(f"no runs yet in {tracking_uri}: `make sweep` or `make trial` first")
    for name, url in rows:
        print(f"{name}: {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
