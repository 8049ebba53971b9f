"""Two processes opening one fresh MLflow SQLite store at the same moment (two `harness sweep`
started together) both work: MLflow creates and migrates the schema once, under a file lock."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any


def _open_and_log(uri: str, start_at: float, results: Any) -> None:
    while time.time() < start_at:  # both processes past their imports: open at once
        time.sleep(0.001)
    try:
        from harness.tracking import MlflowTracker

        MlflowTracker(uri, "together").start_parent("cell", {})
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(f"{type(exc).__name__}: {exc}"[:300])


def test_two_processes_create_one_fresh_store(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'fresh' / 'mlflow.db'}"
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    start_at = time.time() + 10  # after the spawned interpreters import harness and mlflow
    procs = [ctx.Process(target=_open_and_log, args=(uri, start_at, results)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert sorted(results.get(timeout=5) for _ in procs) == ["ok", "ok"]
