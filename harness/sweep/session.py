"""A worker's hold on a sweep: the spec, the two studies of every cell, the tracker; opened by
every worker, prepared (seeds enqueued, MLflow parent runs) idempotently by each."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import optuna
import yaml

from harness.config import TrackerSpec, load_spec
from harness.errors import ConfigError
from harness.sweep.names import run_name
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import create_study, make_pruner, open_storage, sobol_points
from harness.tracking import NoTracker, Tracker, make_tracker, sweep_uri

__all__ = ["Sweep", "check_out", "open_sweep", "prepare"]


class ProgressSink(Protocol):
    """What the runner tells whoever shows progress (`progress.Progress` on a terminal)."""

    def enter(self, cell: Cell) -> None: ...

    def trial_done(self, cell: Cell, phase: str, number: int, rec: dict[str, Any]) -> None: ...

    def extend(self, runs: int) -> None: ...


@dataclass
class Sweep:
    """Everything a worker needs: the spec, the storage, the studies of every cell, the tracker."""

    spec: SweepSpec
    tracker: Tracker
    search: dict[str, optuna.Study] = field(default_factory=dict)
    confirm: dict[str, optuna.Study] = field(default_factory=dict)
    running: set[int] = field(default_factory=set)  # trial ids this process is running
    progress: ProgressSink | None = None

    @property
    def experiment(self) -> str:
        return f"sweep-{self.spec.name}"

    def record_path(self, cell: Cell, phase: str, name: str) -> Path:
        return self.spec.out / "records" / cell.slug / phase / f"{name}.json"


def check_out(spec: SweepSpec) -> None:
    """One `out=` folder holds one sweep: another sweep's records there would mix with this
    one's (same cells, same file names) and its report would average them."""
    path = spec.out / "sweep.yaml"
    if not path.is_file():
        return
    try:
        other = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("name")
    except (yaml.YAMLError, AttributeError, UnicodeDecodeError):
        other = None
    if other is not None and str(other) != spec.name:
        raise ConfigError(
            "out",
            f"{spec.out} holds sweep {other!r}, not {spec.name!r}: give this sweep its own "
            f"folder (out=DIR), or name={other} to resume that one",
        )


def open_sweep(spec: SweepSpec) -> Sweep:
    """Open the storage and every cell's search and confirmation study (created on first use)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
    storage = open_storage(spec.storage, spec.heartbeat_s)
    tracker = (
        NoTracker()
        if spec.tracker["name"] == "none"
        else make_tracker(
            TrackerSpec(
                name="mlflow",
                uri=sweep_uri(spec.out, spec.tracker.get("uri")),
                experiment=f"sweep-{spec.name}",
            ),
            source=f"harness sweep {spec.path}",
        )
    )
    sweep = Sweep(spec=spec, tracker=tracker)
    # the pruner's warm-up share is of the trials' step budget (the same for every cell)
    max_steps = load_spec([*spec.trial_base, *spec.cells[0].overrides()]).train.max_steps
    for cell in spec.cells:
        for kind, into in (("search", sweep.search), ("confirm", sweep.confirm)):
            into[cell.id] = create_study(
                storage,
                f"{spec.name}/{cell.id}/{kind}",
                spec.metric,
                make_pruner(spec.pruner, max_steps),
            )
    return sweep


def _shared(spec: SweepSpec, cell: Cell) -> dict[str, Any]:
    """What every run of a cell records alike (model, dataset, config): its parent run's facts."""
    from harness.runtime import git_info

    trial = load_spec([*spec.trial_base, *cell.overrides(), "tracker=none"])
    return {
        "model": trial.choices["model"],
        "model_name_or_path": trial.model.identity,
        "dataset": trial.data.name,
        "task": trial.data.task,
        "train_size": trial.data.train_size,
        "val_size": trial.data.val_size,
        "data_seed": trial.data.data_seed,
        "config": trial.config,
        "git_sha": git_info()[0],
    }


def comparison_columns(metric: str) -> list[str]:
    """The runs-table columns that compare cells at a glance (MLflow's column keys): a cell's
    confirmed test score, its interval and verdict against full, its cost; a run's scores."""
    test = "test_" + metric.removeprefix("val_")
    names = [
        f"metrics.`{test}_mean`",
        f"metrics.`{test}_ci_low`",
        f"metrics.`{test}_ci_high`",
        "metrics.`diff_vs_full`",
        "tags.`verdict_vs_full`",
        "metrics.`confirm_runs`",
        "metrics.`trainable_params`",
        "metrics.`train_time_s_mean`",
        f"metrics.`{metric}`",
        f"metrics.`{test}`",
        "metrics.`train_time_s`",
        "attributes.`Dataset`",
    ]
    return names


def prepare(sweep: Sweep) -> None:
    """Once per sweep (idempotent): seeds enqueued, MLflow parent runs and the comparison view,
    the sweep file on disk.

    A parent run the tracking store lacks (the sweep resumed on another store) is created anew;
    runs logged before stay where they were logged."""
    spec = sweep.spec
    spec.out.mkdir(parents=True, exist_ok=True)
    (spec.out / "sweep.yaml").write_text(  # named: whoever reads the folder knows its sweep
        yaml.safe_dump({"name": spec.name, **spec.raw}, sort_keys=False), encoding="utf-8"
    )
    recreated = 0
    for index, cell in enumerate(spec.cells):
        search = sweep.search[cell.id]
        if spec.sampler["name"] == "sobol" and not search.get_trials(deepcopy=False):
            seed = (spec.sampler["seed"] * 1_000_003 + index * 10_007) % 2**31
            for params in sobol_points(spec.space_for(cell), spec.n_trials, seed):
                search.enqueue_trial(params)
        confirm = sweep.confirm[cell.id]
        if not confirm.get_trials(deepcopy=False):
            for seed, data_seed in spec.confirm_runs():
                confirm.enqueue_trial({}, user_attrs={"seed": seed, "data_seed": data_seed})
        known = "mlflow_parent_run_id" in search.user_attrs
        if not known or not sweep.tracker.has_run(search.user_attrs["mlflow_parent_run_id"]):
            tags = {
                "sweep": spec.name,
                "cell_id": cell.id,
                "phase": "cell",
                "out": str(spec.out.resolve()),  # two sweeps of one name are told apart by folder
                **{k: str(v) for k, v in cell.values},
            }
            run_id = sweep.tracker.start_parent(
                run_name(cell, "cell"),
                tags,
                experiment=sweep.experiment,
                shared=_shared(spec, cell) if sweep.tracker.uri else None,
            )
            search.set_user_attr("mlflow_parent_run_id", run_id)
            sweep.tracker.log_artifact(run_id, spec.out / "sweep.yaml")
            recreated += known
    if recreated:
        print(
            f"mlflow: {sweep.tracker.uri} lacked the parent runs of {recreated} cell(s): created "
            "them anew (runs logged before are in the store they went to; pass tracker.uri=<it> "
            "to keep using that store)"
        )
    sweep.tracker.set_view(
        sweep.experiment, comparison_columns(spec.metric), f"compare {spec.name}"
    )
