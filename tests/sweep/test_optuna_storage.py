"""Pins the Optuna behaviour harness/sweep/_optuna_storage.py relies on, on the storages a sweep
uses (SQLite through `open_storage`, a journal file, and the in-memory storage of unit tests).
An Optuna upgrade that changes any of it fails here, naming the behaviour, before claims break."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import optuna
import pytest
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import TrialState

from harness.sweep._optuna_storage import (
    fail_trial,
    heartbeat_interval,
    record_heartbeat,
    set_trial_user_attr,
    stale_trial_ids,
    trial_id,
)
from harness.sweep.study import open_storage

pytestmark = pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")

Opener = Callable[[str], optuna.Study]  # a study name -> that study, seen by a new "worker"


@pytest.fixture(params=["sqlite", "journal", "memory"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """Each call opens the storage afresh (another worker's view); in memory there is one view."""
    if request.param == "memory":
        memory = optuna.storages.InMemoryStorage()
        return lambda name: optuna.create_study(
            study_name=name, storage=memory, load_if_exists=True
        )
    url = {
        "sqlite": f"sqlite:///{tmp_path / 'study.db'}",
        "journal": f"journal:{tmp_path / 'journal.log'}",
    }[request.param]
    return lambda name: optuna.create_study(
        study_name=name, storage=open_storage(url, 10), load_if_exists=True
    )


def test_trial_id_is_the_storage_id_and_unique_across_studies(tmp_path: Path) -> None:
    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}", 10)
    ids = []
    for name in ("search", "confirm"):
        study = optuna.create_study(study_name=name, storage=storage)
        asked = study.ask()
        frozen = study.get_trials(deepcopy=False)[0]
        public = storage.get_trial_id_from_study_id_trial_number(
            storage.get_study_id_from_name(name), 0
        )
        assert asked.number == frozen.number == 0
        assert trial_id(asked) == trial_id(frozen) == public
        ids.append(public)
    assert len(set(ids)) == 2  # number 0 in both studies, two ids: `Sweep.running` keys on ids


def test_another_worker_marks_and_fails_a_running_trial_once(opener: Opener) -> None:
    mine, theirs = opener("s"), opener("s")
    trial = mine.ask()
    tid = trial_id(trial)
    set_trial_user_attr(theirs, tid, "void", "interrupted")  # not the worker that asked for it
    # the asking worker sees the mark at once (Optuna's cache keeps no stale running trials)
    assert mine.get_trials(deepcopy=False)[0].user_attrs == {"void": "interrupted"}
    fail_trial(theirs, tid)
    assert mine.get_trials(deepcopy=False)[0].state == TrialState.FAIL
    # a second voider loses at either step, with an error `void` catches as RuntimeError
    assert issubclass(UpdateFinishedTrialError, RuntimeError)
    with pytest.raises(UpdateFinishedTrialError):
        set_trial_user_attr(mine, tid, "void", "interrupted")
    with pytest.raises(UpdateFinishedTrialError):
        fail_trial(mine, tid)


def test_a_trial_told_complete_can_no_longer_be_failed_or_marked(opener: Opener) -> None:
    study = opener("s")
    trial = study.ask()
    study.tell(trial, 0.5)
    with pytest.raises(UpdateFinishedTrialError):
        fail_trial(opener("s"), trial_id(trial))
    with pytest.raises(UpdateFinishedTrialError):
        set_trial_user_attr(opener("s"), trial_id(trial), "error", "late")
    frozen = study.get_trials(deepcopy=False)[0]
    assert (frozen.state, frozen.value, frozen.user_attrs) == (TrialState.COMPLETE, 0.5, {})


def test_ask_pops_the_oldest_waiting_trial_with_its_attributes(opener: Opener) -> None:
    """What confirmation seeds and retries rely on: `enqueue_trial` + `ask` hand out WAITING
    trials first, oldest first, with their user attributes and fixed parameters."""
    study = opener("s")
    study.enqueue_trial({"lr": 0.1}, user_attrs={"seed": 0})
    study.enqueue_trial({}, user_attrs={"seed": 1})
    first = opener("s").ask()
    assert (first.number, first.user_attrs) == (0, {"seed": 0})
    assert first.suggest_float("lr", 1e-3, 1.0) == 0.1
    assert opener("s").ask().user_attrs == {"seed": 1}
    assert opener("s").ask().user_attrs == {}  # nothing waiting: a fresh trial


def test_heartbeats_exist_only_where_open_storage_asked_for_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(study_name="s", storage=open_storage(url, 7))
    assert heartbeat_interval(study) == 7
    in_memory = optuna.create_study()
    trial = in_memory.ask()
    assert heartbeat_interval(in_memory) is None
    record_heartbeat(in_memory, trial_id(trial))  # a no-op, not an error
    assert stale_trial_ids(in_memory) == set()


def test_stale_trials_are_those_whose_heartbeat_outlived_the_grace_period(tmp_path: Path) -> None:
    """`open_storage(url, 1)`: beats every 1 s, stale after 3 s by the database's clock. A trial
    that never beat is *not* stale (`recover_stale` times those from their start instead)."""
    study = optuna.create_study(
        study_name="s", storage=open_storage(f"sqlite:///{tmp_path / 'study.db'}", 1)
    )
    gone, never, alive, done = (study.ask() for _ in range(4))
    for trial in (gone, alive, done):
        record_heartbeat(study, trial_id(trial))
    assert stale_trial_ids(study) == set()  # fresh beats
    study.tell(done, 0.5)
    time.sleep(4.5)  # SQLite keeps heartbeats to the second
    record_heartbeat(study, trial_id(alive))
    stale = stale_trial_ids(study)
    assert stale == {trial_id(gone)}  # finished trials are never stale
    assert trial_id(never) not in stale and study.get_trials()[1].state == TrialState.RUNNING
