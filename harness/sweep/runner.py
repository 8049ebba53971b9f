"""A sweep worker: for every cell, claim search trials until the budget is taken, then confirm
the best configuration over the seeds. Any number of workers can run this on one storage."""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
import yaml
from optuna.trial import FrozenTrial, TrialState

from harness.config import TrackerSpec, load_spec
from harness.record import read_record, write_record
from harness.sweep.progress import Progress
from harness.sweep.sequential import grow_confirmation
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import (
    claim_confirm,
    claim_search,
    create_study,
    heartbeat,
    make_pruner,
    make_sampler,
    open_storage,
    recover_stale,
    valid_trials,
    void,
)
from harness.tracking import NoTracker, Tracker, make_tracker
from harness.trial import run_trial

__all__ = ["Sweep", "open_sweep", "prepare", "step_cell", "work"]

STATE = {"completed": TrialState.COMPLETE, "pruned": TrialState.PRUNED, "failed": TrialState.FAIL}


@dataclass
class Sweep:
    """Everything a worker needs: the spec, the storage, the studies of every cell, the tracker."""

    spec: SweepSpec
    tracker: Tracker
    search: dict[str, optuna.Study] = field(default_factory=dict)
    confirm: dict[str, optuna.Study] = field(default_factory=dict)
    running: set[int] = field(default_factory=set)  # trial ids this process is running
    progress: Progress | None = None

    @property
    def experiment(self) -> str:
        return f"sweep-{self.spec.name}"

    def record_path(self, cell: Cell, phase: str, name: str) -> Path:
        return self.spec.out / "records" / cell.slug / phase / f"{name}.json"


def _sampler(spec: SweepSpec, cell_index: int, n_existing: int) -> optuna.samplers.BaseSampler:
    """Seeded per (sweep seed, cell, trial count): reproducible, and a resumed sweep never replays
    draws. QMC keeps one seed per cell: its sequence position lives in the study, and a fixed
    scramble is what keeps the points low-discrepancy."""
    count = 0 if spec.sampler["name"] == "qmc" else n_existing
    seed = spec.sampler["seed"] * 1_000_003 + cell_index * 10_007 + count  # validated int
    return make_sampler(spec.sampler, seed % 2**31)


def open_sweep(spec: SweepSpec) -> Sweep:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
    storage = open_storage(spec.storage, spec.heartbeat_s)
    tracker = (
        NoTracker()
        if spec.tracker["name"] == "none"
        else make_tracker(
            TrackerSpec(name="mlflow", uri=spec.tracker.get("uri"), experiment=f"sweep-{spec.name}")
        )
    )
    sweep = Sweep(spec=spec, tracker=tracker)
    # the pruner's warm-up share is of the trials' step budget (the same for every cell)
    max_steps = load_spec([*spec.trial_base, *spec.cells[0].overrides()]).train.max_steps
    for cell in spec.cells:
        for kind, into in (("search", sweep.search), ("confirm", sweep.confirm)):
            into[cell.id] = create_study(
                storage, f"{spec.name}/{cell.id}/{kind}", spec.metric,
                make_pruner(spec.pruner, max_steps),
            )  # fmt: skip
    return sweep


def prepare(sweep: Sweep) -> None:
    """Once per sweep (idempotent): seeds enqueued, MLflow parent runs, the sweep file on disk."""
    spec = sweep.spec
    spec.out.mkdir(parents=True, exist_ok=True)
    (spec.out / "sweep.yaml").write_text(
        yaml.safe_dump(spec.raw, sort_keys=False), encoding="utf-8"
    )
    for cell in spec.cells:
        confirm = sweep.confirm[cell.id]
        if not confirm.get_trials(deepcopy=False):
            for seed, data_seed in spec.confirm_runs():
                confirm.enqueue_trial({}, user_attrs={"seed": seed, "data_seed": data_seed})
        search = sweep.search[cell.id]
        if "mlflow_parent_run_id" not in search.user_attrs:
            tags = {"sweep": spec.name, "cell_id": cell.id, **{k: str(v) for k, v in cell.values}}
            run_id = sweep.tracker.start_parent(cell.id, tags, experiment=sweep.experiment)
            search.set_user_attr("mlflow_parent_run_id", run_id)
            sweep.tracker.log_artifact(run_id, spec.out / "sweep.yaml")


def _overrides(
    spec: SweepSpec,
    cell: Cell,
    params: dict[str, float],
    seed: int,
    path: Path,
    data_seed: int | None = None,
    search: bool = False,
) -> list[str]:
    ranges = {r.name: r for r in spec.space_for(cell)}
    tracker = (
        ["tracker=none"]
        if spec.tracker["name"] == "none"
        else [f"tracker.experiment=sweep-{spec.name}"]
    )
    if spec.tracker.get("uri"):
        tracker.append(f"tracker.uri={spec.tracker['uri']}")
    # every run of the cell shares its frozen-prefix cache: each is charged 1/runs of the build
    runs = spec.n_trials + len(spec.seeds) - int(spec.reuse_search_run)
    share = (
        []
        if any(o.startswith("train.cache_users=") for o in spec.base)
        else [f"train.cache_users={runs}"]
    )
    data = [] if data_seed is None else [f"dataset.data_seed={data_seed}"]
    # a search trial selects on validation: the test split is not looked at (nor paid for)
    phase = ["train.test_eval=false"] if search and not spec.reuse_search_run else []
    return [
        *spec.trial_base, *share, *cell.overrides(), *(f"{ranges[k].override_key}={v!r}" for k, v in params.items()),
        *tracker, f"seed={seed}", *data, *phase, f"record_path='{path}'",
    ]  # fmt: skip


def _boundary_flags(spec: SweepSpec, cell: Cell, params: dict[str, float]) -> list[str]:
    """`lr_at_boundary`: a searched learning rate in the outer 10 % of its (log) range, where a
    better value may lie outside what was searched."""
    for r in spec.space_for(cell):
        if r.name in ("lr", "head_lr") and r.name in params:
            lo, hi, v = (math.log(x) if r.log else x for x in (r.low, r.high, params[r.name]))
            if min(v - lo, hi - v) < 0.1 * (hi - lo):
                return ["lr_at_boundary"]
    return []


def _flag(rec: dict[str, Any], path: Path, flags: list[str]) -> dict[str, Any]:
    if flags and rec.get("status") == "completed":
        rec["flags"] = sorted({*(rec.get("flags") or []), *flags})
        write_record(path, rec)
    return rec


def _log(sweep: Sweep, cell: Cell, rec: dict[str, Any], path: Path, name: str) -> dict[str, Any]:
    """Log a record to MLflow under the cell's parent run, once (the run id goes into the record)."""
    if rec.get("mlflow_run_id") or isinstance(sweep.tracker, NoTracker):
        return rec
    parent = sweep.search[cell.id].user_attrs.get("mlflow_parent_run_id")
    rec["mlflow_run_id"] = sweep.tracker.log_record(
        rec, name, parent_run_id=parent, experiment=sweep.experiment
    )
    write_record(path, rec)
    return rec


def _tell(study: optuna.Study, number: int, rec: dict[str, Any], metric: str) -> None:
    state = STATE[rec["status"]]
    value = rec.get(metric) if state == TrialState.COMPLETE else None
    if state == TrialState.COMPLETE and (value is None or not math.isfinite(value)):
        state = TrialState.FAIL
    trial_id = study._storage.get_trial_id_from_study_id_trial_number(study._study_id, number)
    if rec.get("error"):
        study._storage.set_trial_user_attr(trial_id, "error", str(rec["error"])[:500])
    # skip_if_finished checks, then writes: a trial another worker finishes in between is skipped too
    with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
        study.tell(
            number,
            value if state == TrialState.COMPLETE else None,
            state=state,
            skip_if_finished=True,
        )


def _extra(
    sweep: Sweep, cell: Cell, phase: str, number: int, params: dict[str, float]
) -> dict[str, Any]:
    return {
        "sweep": sweep.spec.name,
        "cell_id": cell.id,
        "cell": cell.as_dict,
        "phase": phase,
        "trial_number": number,
        "params": params,
    }


def run_search(sweep: Sweep, cell: Cell, trial: optuna.Trial) -> dict[str, Any]:
    spec = sweep.spec
    params = {
        r.name: trial.suggest_float(r.name, r.low, r.high, log=r.log) for r in spec.space_for(cell)
    }
    path = sweep.record_path(cell, "search", f"trial-{trial.number:04d}")
    trial.set_user_attr("record", str(path))

    def report(step: int, value: float) -> None:
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()

    seed = spec.search_seed(trial.number)
    trial_spec = load_spec(_overrides(spec, cell, params, seed, path, search=True))
    sweep.running.add(trial._trial_id)
    try:
        with heartbeat(sweep.search[cell.id], trial, spec.heartbeat_s):
            rec, _ = run_trial(
                trial_spec, report=report, extra=_extra(sweep, cell, "search", trial.number, params)
            )
    except BaseException:  # Ctrl-C / kill: give the claim back so a re-run retries it
        # (unless its record is written: then the re-run adopts it, and a retry would duplicate it)
        if not path.is_file() and void(sweep.search[cell.id], trial._trial_id, "interrupted"):
            sweep.search[cell.id].enqueue_trial(params, user_attrs={"retry_of": trial.number})
        raise
    finally:
        sweep.running.discard(trial._trial_id)
    rec = _flag(rec, path, _boundary_flags(spec, cell, params))
    rec = _log(sweep, cell, rec, path, f"{cell.id} search #{trial.number}")
    _tell(sweep.search[cell.id], trial.number, rec, spec.metric)
    return rec


def run_confirm(sweep: Sweep, cell: Cell, trial: optuna.Trial, best: FrozenTrial) -> dict[str, Any]:
    spec, seed = sweep.spec, int(trial.user_attrs["seed"])
    data_seed = trial.user_attrs.get("data_seed")
    path = sweep.record_path(cell, "confirm", f"seed-{seed}")
    trial.set_user_attr("record", str(path))
    extra = {
        **_extra(sweep, cell, "confirm", trial.number, dict(best.params)),
        "best_search_trial": best.number,
    }
    reuse = Path(best.user_attrs.get("record", ""))
    sweep.running.add(trial._trial_id)
    try:
        if spec.reuse_search_run and seed == spec.seeds[0] and reuse.is_file():
            # Same config and seed as the selected search trial: its run *is* this seed's run.
            rec = {**read_record(reuse), **extra, "reused_from": str(reuse), "mlflow_run_id": None}
            write_record(path, rec)
        else:
            trial_spec = load_spec(
                _overrides(spec, cell, dict(best.params), seed, path, data_seed=data_seed)
            )
            with heartbeat(sweep.confirm[cell.id], trial, spec.heartbeat_s):
                rec, _ = run_trial(trial_spec, extra=extra)
    except BaseException:
        if not path.is_file() and void(sweep.confirm[cell.id], trial._trial_id, "interrupted"):
            sweep.confirm[cell.id].enqueue_trial(
                {}, user_attrs={"seed": seed, "data_seed": data_seed, "retry_of": trial.number}
            )
        raise
    finally:
        sweep.running.discard(trial._trial_id)
    rec = _flag(rec, path, _boundary_flags(spec, cell, dict(best.params)))
    rec = _log(sweep, cell, rec, path, f"{cell.id} confirm seed={seed}")
    _tell(sweep.confirm[cell.id], trial.number, rec, spec.metric)
    return rec


def _drop_orphans(sweep: Sweep, cell: Cell, name: str) -> None:
    """Delete the runs a dead worker logged for a record before their id reached the record."""
    client = getattr(sweep.tracker, "_client", None)  # MlflowTracker only
    parent = sweep.search[cell.id].user_attrs.get("mlflow_parent_run_id")
    if client is None or not parent:
        return
    found = client.search_runs(
        [client.get_run(parent).info.experiment_id],
        filter_string=f"tags.`mlflow.parentRunId` = '{parent}' and attributes.run_name = '{name}'",
    )
    for run in found:
        client.delete_run(run.info.run_id)


def _adopter(sweep: Sweep, cell: Cell, study: optuna.Study):  # type: ignore[no-untyped-def]
    """A dead worker's trial whose record was fully written is kept, not re-run."""

    def adopt(t: FrozenTrial) -> bool:
        path = Path(t.user_attrs.get("record", ""))
        if not path.is_file():
            return False
        rec = read_record(path)
        tag = f"#{t.number}" if rec.get("phase") == "search" else f"seed={rec.get('seed')}"
        name = f"{cell.id} {rec.get('phase')} {tag}"  # the name run_search/run_confirm log under
        if not rec.get("mlflow_run_id"):
            _drop_orphans(sweep, cell, name)
        rec = _log(sweep, cell, rec, path, name)
        _tell(study, t.number, rec, sweep.spec.metric)
        return True

    return adopt


def _best(study: optuna.Study) -> FrozenTrial | None:
    done = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if t.value is not None
    ]
    return max(done, key=lambda t: (t.value, -t.number)) if done else None


def step_cell(sweep: Sweep, index: int, cell: Cell) -> str:
    """Run one unit of work in a cell: 'ran', 'waiting' (others are running its trials) or 'done'."""
    spec, search, confirm = sweep.spec, sweep.search[cell.id], sweep.confirm[cell.id]
    recover_stale(search, _adopter(sweep, cell, search), sweep.running)
    search.sampler = _sampler(spec, index, len(search.get_trials(deepcopy=False)))
    trial = claim_search(search, spec.n_trials)
    if trial is not None:
        rec = run_search(sweep, cell, trial)
        if sweep.progress:
            sweep.progress.trial_done(cell, "search", trial.number, rec)
        return "ran"
    if any(
        t.state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
        for t in valid_trials(search)
    ):
        return "waiting"
    best = _best(search)
    if best is None:  # every search trial failed or was pruned: reported as such
        sweep.tracker.end_parent(search.user_attrs.get("mlflow_parent_run_id"), status="FAILED")
        return "done"
    recover_stale(confirm, _adopter(sweep, cell, confirm), sweep.running)
    ctrial = claim_confirm(confirm)
    if ctrial is not None:
        rec = run_confirm(sweep, cell, ctrial, best)
        if sweep.progress:
            sweep.progress.trial_done(cell, "confirm", int(ctrial.user_attrs["seed"]), rec)
        return "ran"
    if any(t.state == TrialState.RUNNING for t in confirm.get_trials(deepcopy=False)):
        return "waiting"
    sweep.tracker.end_parent(search.user_attrs.get("mlflow_parent_run_id"))
    return "done"


def _work_through(sweep: Sweep, pending: list[tuple[int, Cell]], poll_s: float) -> None:
    """Step through the cells until all are done (waiting on cells other workers are finishing)."""
    while pending:
        still = []
        for index, cell in pending:
            if sweep.progress:
                sweep.progress.enter(cell)
            state = step_cell(sweep, index, cell)
            while state == "ran":
                state = step_cell(sweep, index, cell)
            if state == "waiting":
                still.append((index, cell))
        pending = still
        if pending:
            time.sleep(poll_s)


def work(sweep: Sweep, poll_s: float = 2.0) -> None:
    """Work through every cell; then, with `confirm.seeds: {min, max}`, add confirmation runs
    where a comparison with full is still undecided (cheapest cells first) until none is."""
    index = {cell.id: i for i, cell in enumerate(sweep.spec.cells)}
    pending = list(enumerate(sweep.spec.cells))
    while pending:
        _work_through(sweep, pending, poll_s)
        grown = grow_confirmation(sweep.spec, sweep.confirm)
        if grown and sweep.progress:
            sweep.progress.extend(len(grown))
        pending = [(index[cell.id], cell) for cell in grown]
