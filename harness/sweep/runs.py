"""One trial of a sweep, search or confirmation: its overrides, the run, its record flagged,
logged to MLflow once, and told to Optuna. A run that is interrupted before its record is
written gives its claim back (voided and re-enqueued) so that a re-run retries it."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from harness.config import load_spec
from harness.record import read_record, write_record
from harness.sweep._optuna_storage import set_trial_user_attr, trial_id
from harness.sweep.names import run_name
from harness.sweep.session import Sweep
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import heartbeat, void
from harness.tracking import NoTracker
from harness.trial import run_trial

__all__ = ["log_record", "run_confirm", "run_search", "tell_record"]

STATE = {"completed": TrialState.COMPLETE, "pruned": TrialState.PRUNED, "failed": TrialState.FAIL}


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
    if search and spec.search_steps is not None:  # low-fidelity search: the run's first steps
        phase.append(f"train.stop_step={spec.search_steps}")
    return [
        *spec.trial_base,
        *share,
        *cell.overrides(),
        *(f"{ranges[k].override_key}={v!r}" for k, v in params.items()),
        *tracker,
        f"seed={seed}",
        *data,
        *phase,
        f"record_path='{path}'",
    ]


def boundary_params(
    spec: SweepSpec, cell: Cell, params: dict[str, float], tried: list[dict[str, float]]
) -> list[str]:
    """The searched learning rates (`lr`, `head_lr`) whose chosen value may have a better one
    outside what was searched: in the outer 10 % of the (log) range, or the most extreme value
    among those the cell's completed search trials `tried` (when they tried >= 3)."""
    out = []
    for r in spec.space_for(cell):
        if r.name not in ("lr", "head_lr") or r.name not in params:
            continue
        lo, hi, v = (math.log(x) if r.log else x for x in (r.low, r.high, params[r.name]))
        values = sorted({t[r.name] for t in tried if r.name in t})
        at_edge = len(values) >= 3 and params[r.name] in (values[0], values[-1])
        if min(v - lo, hi - v) < 0.1 * (hi - lo) or at_edge:
            out.append(r.name)
    return out


def _tried(study: optuna.Study) -> list[dict[str, float]]:
    """Parameters of a cell's completed search trials (what the boundary check compares with)."""
    return [dict(t.params) for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]


def _flag(sweep: Sweep, rec: dict[str, Any], path: Path, at_edge: list[str]) -> dict[str, Any]:
    """`lr_at_boundary` (naming the parameters in `boundary_params`) on a completed record."""
    if at_edge and rec.get("status") == "completed":
        rec["flags"] = sorted({*(rec.get("flags") or []), "lr_at_boundary"})
        rec["boundary_params"] = at_edge
        write_record(path, rec)
        sweep.tracker.set_tags(
            rec.get("mlflow_run_id"),
            {"flags": ",".join(rec["flags"]), "boundary_params": ",".join(at_edge)},
        )
    return rec


def _parent(sweep: Sweep, cell: Cell) -> str | None:
    found = sweep.search[cell.id].user_attrs.get("mlflow_parent_run_id")
    return str(found) if found else None


def _run(sweep: Sweep, cell: Cell, name: str, **kwargs: Any) -> dict[str, Any]:
    """The trial, its MLflow run live under the cell's parent; a run of this name left by an
    earlier attempt that died before its record (a retried claim) is deleted first."""
    sweep.tracker.drop_runs(_parent(sweep, cell), name)
    rec, _ = run_trial(
        tracker=sweep.tracker,
        parent_run_id=_parent(sweep, cell),
        run_name=name,
        experiment=sweep.experiment,
        **kwargs,
    )
    return rec


def log_record(
    sweep: Sweep, cell: Cell, rec: dict[str, Any], path: Path, name: str
) -> dict[str, Any]:
    """Log a record to MLflow under the cell's parent run, once (the run id goes into the record);
    a run its trial opened but could not close (it died after writing the record) is closed."""
    if isinstance(sweep.tracker, NoTracker):
        return rec
    if rec.get("mlflow_run_id"):
        if sweep.tracker.is_open(rec["mlflow_run_id"]):
            sweep.tracker.finish_run(rec["mlflow_run_id"], rec)
        return rec
    rec["mlflow_run_id"] = sweep.tracker.log_record(
        rec, name, parent_run_id=_parent(sweep, cell), experiment=sweep.experiment
    )
    write_record(path, rec)
    return rec


def tell_record(
    study: optuna.Study, trial: optuna.Trial | FrozenTrial, rec: dict[str, Any], metric: str
) -> None:
    """Tell Optuna a trial's outcome from its record (a non-finite value counts as failed); a
    trial another worker finished first is left as it is."""
    state = STATE[rec["status"]]
    value = rec.get(metric) if state == TrialState.COMPLETE else None
    if state == TrialState.COMPLETE and (value is None or not math.isfinite(value)):
        state = TrialState.FAIL
    if rec.get("error"):
        # the trial may be another (dead) worker's: set through its storage id, not a Trial
        with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
            set_trial_user_attr(study, trial_id(trial), "error", str(rec["error"])[:500])
    # skip_if_finished checks, then writes: a trial another worker finishes in between is skipped too
    with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
        study.tell(
            trial.number,
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
    name = run_name(cell, "search", trial.number)
    sweep.running.add(trial_id(trial))
    try:
        with heartbeat(sweep.search[cell.id], trial, spec.heartbeat_s):
            rec = _run(
                sweep,
                cell,
                name,
                spec=trial_spec,
                report=report,
                extra=_extra(sweep, cell, "search", trial.number, params),
            )
    except BaseException:  # Ctrl-C / kill: give the claim back so a re-run retries it
        # (unless its record is written: then the re-run adopts it, and a retry would duplicate it)
        if not path.is_file() and void(sweep.search[cell.id], trial_id(trial), "interrupted"):
            sweep.tracker.drop_runs(_parent(sweep, cell), name)  # a voided claim has no run
            sweep.search[cell.id].enqueue_trial(params, user_attrs={"retry_of": trial.number})
        raise
    finally:
        sweep.running.discard(trial_id(trial))
    rec = _flag(sweep, rec, path, boundary_params(spec, cell, params, []))
    rec = log_record(sweep, cell, rec, path, name)
    tell_record(sweep.search[cell.id], trial, rec, spec.metric)
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
    name = run_name(cell, "confirm", seed=seed)
    sweep.running.add(trial_id(trial))
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
                rec = _run(sweep, cell, name, spec=trial_spec, extra=extra)
    except BaseException:
        if not path.is_file() and void(sweep.confirm[cell.id], trial_id(trial), "interrupted"):
            sweep.tracker.drop_runs(_parent(sweep, cell), name)
            sweep.confirm[cell.id].enqueue_trial(
                {}, user_attrs={"seed": seed, "data_seed": data_seed, "retry_of": trial.number}
            )
        raise
    finally:
        sweep.running.discard(trial_id(trial))
    tried = _tried(sweep.search[cell.id])
    rec = _flag(sweep, rec, path, boundary_params(spec, cell, dict(best.params), tried))
    rec = log_record(sweep, cell, rec, path, name)
    tell_record(sweep.confirm[cell.id], trial, rec, spec.metric)
    return rec
