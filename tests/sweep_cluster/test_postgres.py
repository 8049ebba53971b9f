"""Many workers on one real PostgreSQL storage: exact counts, a SIGKILLed worker, an unreachable URL."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

import psutil
import pytest
import yaml
from cluster_checks import ROOT, CellState, assert_exact, harness_cmd, load_state, worker_pid
from optuna.trial import TrialState

from harness.sweep.spec import SweepSpec, load_sweep


@pytest.mark.slow
def test_three_workers_finish_the_smoke_sweep_exactly_once(pg_url: str, tmp_path: Path) -> None:
    overrides = ["workers=3", f"storage={pg_url}", f"out={tmp_path}", "tracker.name=none"]
    done = subprocess.run(
        harness_cmd("sweep", "sweeps/smoke.yaml", *overrides),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    state = assert_exact(ROOT / "sweeps/smoke.yaml", overrides)
    pids = {worker_pid(t) for cell in state.values() for t in CellState.valid(cell.search)}
    assert done.stdout.count("sweep smoke done") == 1 and len(pids) >= 2  # the work was shared
    for cell in state.values():  # no duplicate trial numbers, nothing left running or waiting
        numbers = [t.number for t in cell.search]
        assert len(numbers) == len(set(numbers))
        assert not [t for t in cell.search + cell.confirm if t.state == TrialState.RUNNING]


def _slow_sweep(tmp_path: Path) -> Path:
    """One cell, pruning off, 20 epochs: trials last seconds, long enough to be killed mid-way."""
    raw = yaml.safe_load((ROOT / "sweeps/smoke.yaml").read_text())
    raw.update(name="killed", grid={"strategy": ["full"], "train_size": [64]}, confirm={"seeds": 1})
    raw["base"] = [b for b in raw["base"] if not b.startswith("train.epochs")]
    raw["base"] += ["train.epochs=20", "regularization.early_stopping_patience=null"]
    raw["search"].update(n_trials=4, pruner={"name": "none"}, heartbeat_s=2)
    path = tmp_path / "killed.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _kill_a_worker_mid_trial(parent: subprocess.Popen[bytes], spec: SweepSpec) -> int | None:
    """SIGKILL a worker whose search trial has run > 1 s and written no record; its trial number."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and parent.poll() is None:
        time.sleep(0.3)
        children = {p.pid for p in psutil.Process(parent.pid).children()}
        if not children:  # workers start after the studies exist
            continue
        running = [
            t for t in next(iter(load_state(spec).values())).search if "worker" in t.user_attrs
        ]
        for t in sorted(running, key=worker_pid, reverse=True):  # not the first-started worker
            if t.state != TrialState.RUNNING or worker_pid(t) not in children:
                continue
            assert t.datetime_start is not None
            running_s = (datetime.now() - t.datetime_start).total_seconds()
            if running_s > 1.0 and not Path(t.user_attrs.get("record", "/none")).exists():
                os.kill(worker_pid(t), signal.SIGKILL)  # mid-trial: no record written yet
                return t.number
    return None


@pytest.mark.slow
def test_sigkilled_worker_trial_is_voided_and_rerun(pg_url: str, tmp_path: Path) -> None:
    sweep_file = _slow_sweep(tmp_path)
    overrides = ["workers=3", f"storage={pg_url}", f"out={tmp_path / 'out'}", "tracker.name=none"]
    spec = load_sweep(sweep_file, overrides)
    log = (tmp_path / "sweep.log").open("w")
    parent = subprocess.Popen(
        harness_cmd("sweep", str(sweep_file), *overrides), cwd=ROOT, stdout=log, stderr=log
    )
    try:
        victim = _kill_a_worker_mid_trial(parent, spec)
        assert victim is not None, "no worker was caught mid-trial"
        assert parent.wait(timeout=300) == 0, (tmp_path / "sweep.log").read_text()[-3000:]
    finally:  # never leave workers behind, whatever failed
        if parent.poll() is None:
            for proc in [*psutil.Process(parent.pid).children(recursive=True), parent]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc.kill()
            parent.wait()
        log.close()
    state = assert_exact(sweep_file, overrides)
    search = next(iter(state.values())).search
    lost = next(t for t in search if t.number == victim)
    assert lost.state == TrialState.FAIL and lost.user_attrs.get("void") == "interrupted"
    retries = [t for t in search if t.user_attrs.get("retry_of") == victim]
    assert len(retries) == 1 and retries[0].state in (TrialState.COMPLETE, TrialState.PRUNED)
    assert retries[0].params == lost.params
    assert len(search) == spec.n_trials + 1  # the budget plus exactly the one voided trial


def test_unreachable_storage_fails_at_once_naming_the_url(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/harness"
    # "At once": before any trial or record, within the 60 s hang guard. Not timed closer: a
    # loaded CI machine took 16 s for the interpreter, imports and one refused connection.
    done = subprocess.run(
        harness_cmd("sweep", "sweeps/smoke.yaml", f"storage={url}", f"out={tmp_path}"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert url in done.stderr and "cannot open the study storage" in done.stderr
    assert not (tmp_path / "records").exists()
