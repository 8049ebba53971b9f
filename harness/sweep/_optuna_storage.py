"""The few Optuna internals the sweep's claims rely on, in one module and nowhere else.

Optuna's public API asks, tells, enqueues and reads trials, but leaves out three things that
workers sharing one storage need:

- a trial's storage id: unique across every study of a storage (trial numbers repeat per
  study), and the key heartbeats are recorded under;
- writing to a trial this process did not ask for: voiding a dead worker's claim (user
  attributes first, then FAIL, each refused once the trial is finished, so exactly one of
  several workers that void the same trial wins), and marking an adopted trial's error;
- which RUNNING trials have a stale heartbeat *without* failing them:
  `optuna.storages.fail_stale_trials` fails them first, and a failed trial can no longer be
  marked void or adopted from the record its worker wrote.

tests/sweep/test_optuna_storage.py pins each behaviour used here, so an Optuna release that
changes one fails that test by name instead of breaking claims silently.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.storages import BaseStorage
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.trial import FrozenTrial, TrialState

__all__ = [
    "fail_trial",
    "heartbeat_interval",
    "record_heartbeat",
    "set_trial_user_attr",
    "stale_trial_ids",
    "trial_id",
]


def trial_id(trial: optuna.Trial | FrozenTrial) -> int:
    """The trial's id in its storage (unlike `number`, unique across the studies of a sweep)."""
    return trial._trial_id


def _storage(study: optuna.Study) -> BaseStorage:
    return study._storage


def set_trial_user_attr(study: optuna.Study, trial_id: int, key: str, value: Any) -> None:
    """Set a user attribute on any trial of `study`, also one another process asked for.
    Raises `optuna.exceptions.UpdateFinishedTrialError` once the trial is finished."""
    _storage(study).set_trial_user_attr(trial_id, key, value)


def fail_trial(study: optuna.Study, trial_id: int) -> None:
    """Move a trial to FAIL without involving the sampler (it was never evaluated).
    Raises `optuna.exceptions.UpdateFinishedTrialError` if it is finished already."""
    _storage(study).set_trial_state_values(trial_id, TrialState.FAIL)


def _heartbeat(study: optuna.Study) -> BaseHeartbeat | None:
    storage = _storage(study)  # Optuna wraps an RDBStorage in a cache that forwards heartbeats
    if isinstance(storage, BaseHeartbeat) and storage.get_heartbeat_interval():
        return storage
    return None


def heartbeat_interval(study: optuna.Study) -> int | None:
    """Seconds between heartbeats of the study's storage; None where it records none."""
    storage = _heartbeat(study)
    return storage.get_heartbeat_interval() if storage is not None else None


def record_heartbeat(study: optuna.Study, trial_id: int) -> None:
    """Stamp the trial's heartbeat with the database's clock (no-op without heartbeats)."""
    storage = _heartbeat(study)
    if storage is not None:
        storage.record_heartbeat(trial_id)


def stale_trial_ids(study: optuna.Study) -> set[int]:
    """RUNNING trials whose last heartbeat is older than the storage's grace period, by the
    database's clock (no skew between hosts). A trial that never beat is not among them."""
    storage = _heartbeat(study)
    if storage is None:
        return set()
    return set(storage._get_stale_trial_ids(study._study_id))
