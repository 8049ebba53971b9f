"""A sweep's MLflow store travels with its `out=` folder: the same command resumes it from any
working directory, and a store that lacks the sweep's parent runs gets them anew (one line),
never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
from sweeptools import SMOKE, TIMEOUT_S

pytestmark = pytest.mark.slow

# one cell, two search trials, one confirmation seed: the smallest sweep that has every part
SMALL = (
    "grid.strategy=[head_only]",
    "grid.train_size=[32]",
    "search.n_trials=2",
    "confirm.seeds=1",
    "confirm.data_seeds=[0]",
)


def _sweep(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`harness sweep` as typed in `cwd`, with no $MLFLOW_TRACKING_URI set."""
    cwd.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env.update(HARNESS_TORCH_THREADS="1", PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, "-m", "harness", "sweep", str(SMOKE), *SMALL, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def _runs(uri: str) -> list[mlflow.entities.Run]:
    client = mlflow.MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name("sweep-smoke")
    assert exp is not None
    return list(client.search_runs([exp.experiment_id], max_results=1000))


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep run to the end from one folder; returns the root (out= is root/out)."""
    root = tmp_path_factory.mktemp("store")
    done = _sweep(root / "here", f"out={root / 'out'}")
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def test_the_same_command_resumes_from_another_folder(ran: Path) -> None:
    out = ran / "out"
    again = _sweep(ran / "elsewhere", f"out={out}")
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    uri = f"sqlite:///{out.resolve() / 'mlflow.db'}"
    assert f"mlflow: {uri}" in again.stdout
    assert (
        not (ran / "here" / "mlflow.db").exists() and not (ran / "elsewhere" / "mlflow.db").exists()
    )
    runs = _runs(uri)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    records = list((out / "records").rglob("*.json"))
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert len(children) == len(records) == 3  # 2 search trials + 1 seed, each logged once
    assert all(r.info.status != "RUNNING" for r in runs)


def test_a_store_without_the_sweeps_parent_runs_gets_them_anew(ran: Path) -> None:
    other = f"sqlite:///{ran / 'other' / 'mlflow.db'}"
    again = _sweep(ran / "here", f"out={ran / 'out'}", f"tracker.uri={other}")
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert f"mlflow: {other} lacked the parent runs of 1 cell(s)" in again.stdout
    (parent,) = _runs(other)
    assert parent.data.tags["cell_id"] == "strategy=head_only,train_size=32"
    assert parent.info.status == "FINISHED"  # the finished cell closed it with its summary
