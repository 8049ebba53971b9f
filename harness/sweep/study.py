"""Optuna storage and claims: who runs which trial, exactly once, across workers and restarts.

Search trials are claimed with `study.ask()`; a claim whose rank among the cell's valid trials
exceeds the budget is voided at once, so many workers never over-fill a cell. Confirmation
seeds are enqueued once and popped by `ask()` (atomic in the storage). A trial left RUNNING by
a dead worker (same host: its pid is gone; other hosts: its heartbeat is stale) is adopted from
its record when that was written, or else voided and re-enqueued with the same parameters.
Everything goes through Optuna's public API except what `_optuna_storage` holds (storage ids,
writes to another worker's trial, stale heartbeats), which a test pins to the installed Optuna.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import optuna
import psutil
import sqlalchemy
from optuna.storages import BaseStorage, RDBStorage
from optuna.trial import FrozenTrial, TrialState

from harness.errors import ConfigError
from harness.sweep._optuna_storage import (
    fail_trial,
    heartbeat_interval,
    record_heartbeat,
    set_trial_user_attr,
    stale_trial_ids,
    trial_id,
)

__all__ = [
    "WORKER_ID",
    "claim_confirm",
    "claim_search",
    "create_study",
    "draw_index",
    "heartbeat",
    "make_pruner",
    "make_sampler",
    "open_storage",
    "recover_stale",
    "valid_trials",
    "void",
]

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
# a worker whose heartbeat is this many intervals old is dead (also: the storage's grace period)
GRACE_BEATS = 3
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
# `void_reason` user attribute: what optuna-dashboard shows beside a voided (FAIL) claim
VOID_REASONS = {
    "overflow": "overflow: claimed after the cell's budget was taken; not run, not counted",
    "duplicate": "duplicate: this confirmation seed is owned by a lower-numbered trial",
    "interrupted": "interrupted: its worker died before writing a record; re-enqueued",
}


def open_storage(url: str, heartbeat_s: int) -> BaseStorage:
    """RDB storage (SQLite, PostgreSQL, any SQLAlchemy URL) or `journal:<path>`; fails at once, naming the URL."""
    try:
        if url.startswith("journal:"):
            from optuna.storages.journal import JournalFileBackend, JournalStorage

            return JournalStorage(JournalFileBackend(url.removeprefix("journal:")))
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
            os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
        if url.startswith("postgresql"):  # an unreachable server fails in seconds, not minutes
            kwargs["connect_args"] = {"connect_timeout": 10}
        with warnings.catch_warnings():  # heartbeat_interval is "experimental" in Optuna
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            storage = RDBStorage(
                url,
                engine_kwargs=kwargs,
                heartbeat_interval=heartbeat_s,
                grace_period=GRACE_BEATS * heartbeat_s,
            )
        if url.startswith("sqlite"):
            _serialize_sqlite(storage.engine)
        return storage
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one clear message
        first = (str(exc).strip().splitlines() or [""])[0]  # drivers add hint lines: one line here
        raise ConfigError(
            "storage", f"cannot open the study storage {url}: {type(exc).__name__}: {first}"
        ) from None


def _serialize_sqlite(engine: sqlalchemy.engine.Engine) -> None:
    """Make SQLite transactions take the write lock when they begin.

    Optuna claims a WAITING trial by reading its state and writing RUNNING in one transaction,
    relying on SELECT ... FOR UPDATE, which SQLite ignores; and pysqlite opens no transaction
    before a SELECT. Two workers could both read WAITING and both run the same seed. With
    BEGIN IMMEDIATE the read and the write are one locked step (SQLAlchemy's pysqlite recipe).
    """

    @sqlalchemy.event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin_immediate(connection: sqlalchemy.engine.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    engine.dispose()  # connections opened while Optuna set up the schema predate the hooks


SAMPLERS = ("sobol", "qmc", "tpe", "random")
PRUNERS = ("median", "successive_halving", "hyperband", "none")


def make_sampler(options: dict[str, Any], seed: int) -> optuna.samplers.BaseSampler:
    """`{name: qmc | tpe | random, <that sampler's options>}`, seeded with `seed`."""
    kw = {k: v for k, v in options.items() if k not in ("name", "seed")}
    if options["name"] == "sobol":  # every point is enqueued up front (sobol_points): none to draw
        return optuna.samplers.RandomSampler(seed=seed)
    kind = {
        "qmc": optuna.samplers.QMCSampler,
        "tpe": optuna.samplers.TPESampler,
        "random": optuna.samplers.RandomSampler,
    }
    with warnings.catch_warnings():  # QMCSampler is "experimental" in Optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return kind[options["name"]](seed=seed, **kw)  # type: ignore[operator]


def sobol_points(space: list[Any], n: int, seed: int) -> list[dict[str, float]]:
    """`n` scrambled Sobol points over the ranges (log ranges in log space), drawn up front so
    every configuration of a cell is known before any runs and is the same after a restart
    (Optuna's QMCSampler draws its first trial at random to learn the space)."""
    from scipy.stats import qmc

    if not space:
        return [{} for _ in range(n)]
    engine = qmc.Sobol(d=len(space), scramble=True, seed=seed)
    m = math.ceil(math.log2(max(n, 1)))
    units = engine.random_base2(m)[:n]  # a power of two keeps each dimension stratified
    points = []
    for u in units:
        point = {}
        for r, x in zip(space, u, strict=True):
            lo, hi = (math.log(r.low), math.log(r.high)) if r.log else (r.low, r.high)
            value = lo + float(x) * (hi - lo)
            point[r.name] = float(math.exp(value) if r.log else value)
        points.append(point)
    return points


def make_pruner(options: dict[str, Any], max_steps: int = 300) -> optuna.pruners.BasePruner:
    """`{name: median | successive_halving | hyperband | none, <that pruner's options>}`.
    `warmup_share` (harness option, in [0, 1)): no pruning before that share of the step budget
    (`n_warmup_steps` of the median pruner, `min_resource` of successive halving / Hyperband)."""
    kw = {k: v for k, v in options.items() if k not in ("name", "warmup_share")}
    share = options.get("warmup_share")
    if share is not None:
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1:
            raise ValueError(f"warmup_share must be in [0, 1), got {share!r}")
        steps = max(1, round(share * max_steps))
        key = {"median": "n_warmup_steps", "none": None}.get(options["name"], "min_resource")
        if key:
            kw[key] = steps
    return {
        "median": optuna.pruners.MedianPruner,
        "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
        "hyperband": optuna.pruners.HyperbandPruner,
        "none": optuna.pruners.NopPruner,
    }[options["name"]](**kw)


def create_study(
    storage: BaseStorage, name: str, metric: str, pruner: optuna.pruners.BasePruner
) -> optuna.Study:
    """Create or load a cell's study (maximizing `metric`), its objective named after the metric
    so that optuna-dashboard and `trials_dataframe` say e.g. `val_accuracy`, not `Objective 0`."""
    study = optuna.create_study(
        storage=storage, study_name=name, direction="maximize", load_if_exists=True, pruner=pruner
    )
    if study.metric_names != [metric]:
        with warnings.catch_warnings():  # "experimental" since Optuna 3.2
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names([metric])
    return study


def valid_trials(study: optuna.Study) -> list[FrozenTrial]:
    """Trials that count towards the budget (not voided by a crash or an over-filled claim)."""
    return [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get("void")]


def void(study: optuna.Study, trial_id: int, reason: str) -> bool:
    """Fail a trial and exclude it from the budget; False if another worker finished it first.

    The mark goes on first: a finished trial cannot take attributes, so whoever marks a RUNNING
    trial owns its retry."""
    try:
        set_trial_user_attr(study, trial_id, "void", reason)
        set_trial_user_attr(study, trial_id, "void_reason", VOID_REASONS.get(reason, reason))
        fail_trial(study, trial_id)
    except RuntimeError:  # UpdateFinishedTrialError: already finished elsewhere
        return False
    return True


def claim_search(study: optuna.Study, budget: int) -> optuna.Trial | None:
    """Ask for the next search trial of a cell, or None when its budget is taken."""
    valid = valid_trials(study)
    # A re-enqueued (WAITING) retry still needs a claim, even when it fills the budget.
    if len(valid) >= budget and not any(t.state == TrialState.WAITING for t in valid):
        return None
    trial = study.ask()
    trial.set_user_attr("worker", WORKER_ID)
    numbers = sorted(t.number for t in valid_trials(study))
    if trial.number in numbers and numbers.index(trial.number) < budget:
        return trial
    void(study, trial_id(trial), "overflow")
    return None


def draw_index(study: optuna.Study, trial: optuna.Trial | FrozenTrial) -> int:
    """The trial's place among the cell's new configurations: how many trials before it drew
    one. A retry (`retry_of`) re-runs its original's draw, and a claim voided as an overflow
    never drew; an interrupted original did. One worker running the cell alone counts the same,
    so every worker derives a trial's configuration (its sampler seed, its QMC point) from it."""
    by_number = {t.number: t for t in study.get_trials(deepcopy=False)}
    number = trial.number
    while "retry_of" in by_number[number].user_attrs:
        number = int(by_number[number].user_attrs["retry_of"])
    return sum(
        1
        for t in by_number.values()
        if t.number < number
        and "retry_of" not in t.user_attrs
        and t.user_attrs.get("void") != "overflow"
    )


def claim_confirm(study: optuna.Study) -> optuna.Trial | None:
    """Pop the next enqueued confirmation seed, or None when all are claimed.

    A seed enqueued twice (two `harness sweep` started at the same moment) still runs once: the
    lowest-numbered trial of a seed that is not void owns it, a later copy is voided when popped.
    """
    while any(t.state == TrialState.WAITING for t in study.get_trials(deepcopy=False)):
        trial = study.ask()
        if "seed" not in trial.user_attrs:  # nothing was waiting after all: never run a sampled one
            void(study, trial_id(trial), "overflow")
            return None
        trial.set_user_attr("worker", WORKER_ID)
        seed = trial.user_attrs["seed"]
        owner = min(t.number for t in valid_trials(study) if t.user_attrs.get("seed") == seed)
        if owner == trial.number:
            return trial
        void(study, trial_id(trial), "duplicate")
    return None


def _alive(pid: int) -> bool:
    """A killed worker its parent has not reaped yet (a zombie) is dead too."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _is_dead(trial: FrozenTrial, stale_ids: set[int], grace_s: float) -> bool:
    if not trial.user_attrs.get("worker"):  # claimed but never marked: died inside its claim
        started = trial.datetime_start or datetime.now()
        return (datetime.now() - started).total_seconds() > grace_s
    host, _, pid = str(trial.user_attrs.get("worker", "")).rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _alive(int(pid)) or int(pid) == os.getpid()
    return trial_id(trial) in stale_ids


def recover_stale(
    study: optuna.Study, adopt: Callable[[FrozenTrial], bool], own_running: set[int]
) -> int:
    """Handle trials a dead worker left RUNNING: adopt a written record, else void + re-enqueue.
    `own_running`: the storage ids of the trials this process is running."""
    stale_ids = stale_trial_ids(study)
    interval = heartbeat_interval(study)
    grace_s = float(GRACE_BEATS * interval if interval else 60)
    recovered = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if trial_id(t) in own_running or not _is_dead(t, stale_ids, grace_s):
            continue
        if adopt(t):
            recovered += 1
        elif void(study, trial_id(t), "interrupted"):
            attrs = {k: v for k, v in t.user_attrs.items() if k in ("seed",)}
            study.enqueue_trial(t.params, user_attrs={**attrs, "retry_of": t.number})
            recovered += 1
    return recovered


@contextmanager
def heartbeat(study: optuna.Study, trial: optuna.Trial, interval_s: float) -> Iterator[None]:
    """Keep the trial's heartbeat fresh while it runs (ask/tell gets no heartbeat thread from Optuna)."""
    if not heartbeat_interval(study):
        yield
        return
    stop = threading.Event()
    tid = trial_id(trial)

    def beat() -> None:
        while True:
            with contextlib.suppress(Exception):  # a missed beat must not kill the trial
                record_heartbeat(study, tid)
            if stop.wait(interval_s):
                return

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
