"""A sweep's typed form: the grid's cells, the searched ranges, the seeds of each phase.

What `load_sweep` (spec.py) returns once the file is validated; every worker, launcher and the
report read a sweep through these types.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "AXIS_KEYS",
    "LAUNCHERS",
    "LAUNCHER_DEFAULTS",
    "PARAM_KEYS",
    "SEARCH_SEED_BASE",
    "Cell",
    "ParamRange",
    "SweepSpec",
]

# searched names -> trial override keys (any other name is used as an override key verbatim)
PARAM_KEYS = {
    "lr": "optimizer.lr",
    "weight_decay": "regularization.weight_decay",
    "dropout": "regularization.dropout",
    "head_lr": "strategy.head_lr",
}
AXIS_KEYS = {"train_size": "dataset.train_size"}
SEARCH_SEED_BASE = 1000  # search trial i trains with seed 1000 + i (confirmation seeds are small)
# where the workers run (harness/sweep/launchers/); one flat set of options, each launcher reads its own
LAUNCHERS = ("local", "slurm", "ray")
LAUNCHER_DEFAULTS: dict[str, Any] = {
    "name": "local",
    # slurm (submitit): one array job of n_jobs tasks, each `harness worker <file> <overrides>`
    "n_jobs": None,  # tasks in the array; null -> `workers`
    "partition": None,
    "account": None,
    "qos": None,
    "time_min": 240,  # per job, minutes
    "gpus_per_job": 1,
    "cpus_per_job": 4,
    "mem_gb": None,
    "cluster": None,  # submitit executor: null (slurm if sbatch is found, else local), slurm, local, debug
    "folder": None,  # submitit's job files and logs; null -> <out>/slurm
    "setup": [],  # shell lines run before the worker (module load, venv activation)
    "additional": {},  # any other sbatch option, e.g. {constraint: a100}
    "wait": True,  # wait for the jobs and print the summary; false: submit and return
    # ray: n_workers tasks on a Ray cluster, each running the worker loop
    "address": None,  # null: a running cluster if there is one, else a local one; "auto"; "ray://head:10001"
    "n_workers": None,  # null -> `workers`
    "gpus_per_worker": 1,
    "cpus_per_worker": 1,  # Ray resources per task (fractional GPUs allowed)
}


@dataclass(frozen=True)
class ParamRange:
    name: str
    low: float
    high: float
    log: bool

    @property
    def override_key(self) -> str:
        return PARAM_KEYS.get(self.name, self.name)


@dataclass(frozen=True)
class Cell:
    """One grid point: its values per axis, in grid order."""

    values: tuple[tuple[str, Any], ...]

    @property
    def id(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.values)

    @property
    def slug(self) -> str:
        """Folder name: filesystem- and shell-safe."""
        safe = lambda v: "".join(c if c.isalnum() or c in "._-" else "_" for c in str(v))  # noqa: E731
        return "__".join(f"{safe(k)}-{safe(v)}" for k, v in self.values)

    @property
    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def overrides(self) -> list[str]:
        return [f"{AXIS_KEYS.get(k, k)}={v}" for k, v in self.values]


@dataclass(frozen=True)
class SweepSpec:
    name: str
    path: Path
    base: list[str]
    grid: dict[str, list[Any]]
    n_trials: int
    metric: str
    space: dict[str, ParamRange]
    strategy_space: dict[str, dict[str, ParamRange | None]]
    sampler: dict[str, Any]
    pruner: dict[str, Any]
    heartbeat_s: int
    seeds: list[int]
    reuse_search_run: bool
    # confirmation run k draws its training subset with data_seeds[k % len] (None: the dataset's)
    data_seeds: list[int] | None
    storage: str
    out: Path
    workers: int
    tracker: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)
    launcher: dict[str, Any] = field(default_factory=lambda: dict(LAUNCHER_DEFAULTS))
    seeds_max: int = 0  # sequential confirmation: up to this many runs per cell (0: just `seeds`)
    margin: float = 1.0  # report.margin (points): what "equivalent" means, for sweep and report
    alpha: float = 0.05  # report.alpha
    spending: str = "obf"  # report.spending: how alpha is spent over the sequential looks
    # confirm.seeds_per_draw: training seeds run on each training-subset draw (2: seed and data
    # variance can be told apart); runs are added a draw at a time, and the verdicts look then
    seeds_per_draw: int = 1
    # budget.minutes: trial time per worker the sweep may spend (sum of the records' wall_time_s
    # / workers); confirmation runs are added only while the next round fits. None: no limit
    budget_minutes: float | None = None
    # search.steps: search trials stop after this many steps of the trials' schedule (every
    # configuration judged on the same first steps of the real run); None: they run in full
    search_steps: int | None = None

    @property
    def cells(self) -> list[Cell]:
        axes = list(self.grid)
        return [
            Cell(tuple(zip(axes, combo, strict=True)))
            for combo in itertools.product(*self.grid.values())
        ]

    @property
    def trial_base(self) -> list[str]:
        """Every trial's overrides before its cell's: the base, and the study's metric as the
        trial's own selection metric (best epoch, early stopping, pruning reports)."""
        return [*self.base, f"train.selection_metric={self.metric.removeprefix('val_')}"]

    def search_seed(self, number: int) -> int:
        """Search trials train with their own seeds, distinct from the confirmation seeds (unless
        the confirmation reuses the selected search run: then all search runs use seeds[0])."""
        return self.seeds[0] if self.reuse_search_run else SEARCH_SEED_BASE + number

    def confirm_runs(self) -> list[tuple[int, int | None]]:
        """(training seed, data seed) of each first confirmation run; None = the dataset's."""
        return [self.confirm_run(i) for i in range(len(self.seeds))]

    def confirm_run(self, k: int) -> tuple[int, int | None]:
        """Confirmation run k: the k-th seed (seeds past the list: k itself) and its training
        subset: draw k // seeds_per_draw (data_seeds[draw % len] when the file lists them)."""
        ds, draw = self.data_seeds, k // self.seeds_per_draw
        seed = self.seeds[k] if k < len(self.seeds) else k
        if ds:
            return seed, ds[draw % len(ds)]
        return seed, draw if self.seeds_per_draw > 1 else None

    def space_for(self, cell: Cell) -> list[ParamRange]:
        """The search ranges of a cell: the sweep's, overridden per strategy."""
        merged: dict[str, ParamRange | None] = dict(self.space)
        merged.update(self.strategy_space.get(str(cell.as_dict.get("strategy")), {}))
        return [r for k, r in sorted(merged.items()) if r is not None]
