"""Recovery of trials a dead worker left RUNNING, from states a kill leaves behind, built on real
SQLite/MLflow stores: the kill test hits these windows only by chance."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time

import mlflow
from optuna.trial import TrialState
from recordfiles import fake_record
from sweeptools import SMOKE

from harness.record import read_record, write_record
from harness.sweep.runner import _adopter, open_sweep, prepare, run_search
from harness.sweep.names import run_name
from harness.sweep.spec import load_sweep
from harness.sweep.study import WORKER_ID, claim_search, heartbeat, recover_stale


def dead_worker() -> str:
    """A worker id on this host whose process has exited."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def sweep_at(tmp_path, *overrides: str):
    spec = load_sweep(
        SMOKE,
        [
            f"out={tmp_path / 'out'}",
            f"storage=sqlite:///{tmp_path / 'study.db'}",
            f"tracker.uri=sqlite:///{tmp_path / 'mlflow.db'}",
            "grid.strategy=[head_only]",
            "grid.train_size=[32]",
            *overrides,
        ],
    )
    sweep = open_sweep(spec)
    prepare(sweep)
    return sweep, spec.cells[0]


def test_lost_claims_are_voided_and_retried_after_the_grace_period(tmp_path):
    """Two ways a dead worker leaves a trial RUNNING that no pid check can see:
    killed between `study.ask()` and marking the trial as its own (no worker, no heartbeat), and
    a worker on another host whose heartbeat went stale. Left alone, either would count against
    the budget forever and the sweep would wait on it."""
    sweep, cell = sweep_at(tmp_path, "search.heartbeat_s=1", "tracker.name=none")  # grace: 3 s
    study = sweep.search[cell.id]
    unmarked = study.ask()
    remote = study.ask()
    remote.set_user_attr("worker", "another-host:4242")
    remote.suggest_float("lr", 1e-4, 1e-2, log=True)
    with heartbeat(study, remote, 0.1):  # beats while it "runs", then its host goes away
        time.sleep(0.3)
    adopt = _adopter(sweep, cell, study)
    assert recover_stale(study, adopt, set()) == 0  # young: their workers may still be alive
    time.sleep(4.5)  # SQLite keeps heartbeats to the second
    assert recover_stale(study, adopt, set()) == 2
    trials = study.get_trials()
    for lost in (unmarked, remote):
        assert trials[lost.number].state == TrialState.FAIL
        assert trials[lost.number].user_attrs["void"] == "interrupted"
    retries = {t.user_attrs["retry_of"]: t for t in trials if t.state == TrialState.WAITING}
    assert sorted(retries) == [unmarked.number, remote.number]
    # the remote trial's draw is retried as is; the unmarked one never drew, so draws afresh
    assert retries[remote.number].system_attrs["fixed_params"] == trials[remote.number].params
    assert retries[unmarked.number].system_attrs["fixed_params"] == {}
    assert recover_stale(study, adopt, set()) == 0


def test_a_live_workers_trial_is_left_alone(tmp_path):
    sweep, cell = sweep_at(tmp_path, "tracker.name=none")
    study = sweep.search[cell.id]
    mine = study.ask()
    mine.set_user_attr("worker", WORKER_ID)
    assert recover_stale(study, _adopter(sweep, cell, study), {mine._trial_id}) == 0
    theirs = study.ask()
    theirs.set_user_attr("worker", f"{socket.gethostname()}:1")  # pid 1 is alive
    assert recover_stale(study, _adopter(sweep, cell, study), {mine._trial_id}) == 0
    assert {t.state for t in study.get_trials()} == {TrialState.RUNNING}


def test_record_written_but_mlflow_run_orphaned_is_adopted_and_logged_once(tmp_path):
    """Killed while logging to MLflow: the record is on disk without its run id, and MLflow holds
    a half-logged run. The re-run adopts the record, drops the orphan, and logs it once."""
    sweep, cell = sweep_at(tmp_path)
    study = sweep.search[cell.id]
    trial = study.ask()
    trial.set_user_attr("worker", dead_worker())
    lr = trial.suggest_float("lr", 1e-4, 1e-2, log=True)
    path = sweep.record_path(cell, "search", f"trial-{trial.number:04d}")
    trial.set_user_attr("record", str(path))
    rec = fake_record(
        status="completed",
        error=None,
        val_accuracy=0.75,
        strategy="head_only",
        train_size=32,
        seed=0,
        lr=lr,
        phase="search",
        sweep="smoke",
        cell_id=cell.id,
        trial_number=trial.number,
        params={"lr": lr},
        history=[],
        config={"train": {"test_eval": False}},
        test_accuracy=None,
    )
    write_record(path, rec)
    parent = study.user_attrs["mlflow_parent_run_id"]
    client = mlflow.MlflowClient(tracking_uri=sweep.tracker.uri)
    experiment = client.get_run(parent).info.experiment_id
    name = run_name(cell, "search", trial.number)
    orphan = client.create_run(
        experiment, run_name=name, tags={"mlflow.parentRunId": parent, "phase": "search"}
    )

    assert recover_stale(study, _adopter(sweep, cell, study), set()) == 1

    frozen = study.get_trials()[trial.number]
    assert frozen.state == TrialState.COMPLETE and frozen.value == 0.75
    runs = client.search_runs([experiment], filter_string=f"tags.`mlflow.parentRunId` = '{parent}'")
    assert [(r.info.run_name, r.info.status) for r in runs] == [(name, "FINISHED")]
    assert runs[0].info.run_id != orphan.info.run_id
    assert read_record(path)["mlflow_run_id"] == runs[0].info.run_id
    # adopting again (another re-run) logs nothing new
    assert recover_stale(study, _adopter(sweep, cell, study), set()) == 0
    assert len(client.search_runs([experiment])) == 2  # the parent and the one child


def test_ctrl_c_after_the_record_is_written_keeps_the_trial(tmp_path):
    """Ctrl-C lands once the trial's record is on disk (closing its heartbeat, telling Optuna):
    the claim is not given back for a retry, so the re-run adopts it and there is one record."""
    sweep, cell = sweep_at(tmp_path, "tracker.name=none", "grid.strategy=[full]")
    study = sweep.search[cell.id]
    trial = claim_search(study, sweep.spec.n_trials)
    assert trial is not None
    path = sweep.record_path(cell, "search", f"trial-{trial.number:04d}")

    def interrupt_when_written() -> None:
        deadline = time.monotonic() + 120
        while not path.is_file() and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGINT)

    watcher = threading.Thread(target=interrupt_when_written, daemon=True)
    watcher.start()
    try:
        run_search(sweep, cell, trial)
        time.sleep(5)  # finished first: the interrupt is on its way
    except KeyboardInterrupt:
        pass
    watcher.join()
    # Ctrl-C ends the process, and with it any storage transaction the interrupt cut short; this
    # test goes on in the same process, so it closes that process's connections (an interrupt
    # landing inside a commit left SQLite locked, 1 run in 6) and re-opens the sweep as a re-run.
    backend = study._storage._backend  # optuna's RDBStorage behind its cache
    backend.remove_session()
    backend.engine.dispose()
    sweep, _ = sweep_at(tmp_path, "tracker.name=none", "grid.strategy=[full]")
    study = sweep.search[cell.id]

    recover_stale(study, _adopter(sweep, cell, study), sweep.running)
    trials = study.get_trials()
    assert [(t.number, t.state) for t in trials] == [(trial.number, TrialState.COMPLETE)]
    assert not trials[0].user_attrs.get("void")
    assert [p.name for p in path.parent.glob("*.json")] == [path.name]
