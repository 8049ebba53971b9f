"""The sweep file (`sweeps/*.yaml`): schema, command-line overrides, validation before anything runs."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.errors import ConfigError
from harness.report.errors import ReportError
from harness.report.options import ReportOptions, report_options
from harness.sweep.study import PRUNERS, SAMPLERS, make_pruner, make_sampler

__all__ = ["Cell", "ParamRange", "SweepSpec", "load_sweep", "PARAM_KEYS", "AXIS_KEYS", "LAUNCHERS"]

# searched names -> trial override keys (any other name is used as an override key verbatim)
PARAM_KEYS = {
    "lr": "optimizer.lr",
    "weight_decay": "regularization.weight_decay",
    "dropout": "regularization.dropout",
    "head_lr": "strategy.head_lr",
}
AXIS_KEYS = {"train_size": "dataset.train_size"}
SEARCH_SEED_BASE = 1000  # search trial i trains with seed 1000 + i (confirmation seeds are small)
TOP_KEYS = (
    "name",
    "description",
    "base",
    "grid",
    "search",
    "confirm",
    "storage",
    "out",
    "workers",
    "tracker",
    "launcher",
    "report",
)
SEARCH_KEYS = ("n_trials", "metric", "space", "strategy_space", "sampler", "pruner", "heartbeat_s")


def selectable_metrics() -> tuple[str, ...]:
    """What a sweep can maximise (every trial selects its best evaluation and reports to the
    pruner on it): the selectable metrics of every task in conf/task/."""
    from harness.tasks import load_task, task_names  # tasks import the data package

    chosen = itertools.chain(*(load_task(n).selection_metrics for n in task_names()))
    return tuple(f"val_{m}" for m in dict.fromkeys(chosen))


TRACKERS = ("mlflow", "none")
# where the workers run (harness/sweep/launchers/); one flat set of options, each launcher reads its own
LAUNCHERS = ("local", "slurm", "ray")
LAUNCHER_DEFAULTS: dict[str, Any] = {
    "name": "local",
    # slurm (submitit): one array job of n_jobs tasks, each `harness worker <file> <overrides>`
    "n_jobs": None,  # tasks in the array; null -> `workers`
    "partition": None, "account": None, "qos": None,
    "time_min": 240,  # per job, minutes
    "gpus_per_job": 1, "cpus_per_job": 4, "mem_gb": None,
    "cluster": None,  # submitit executor: null (slurm if sbatch is found, else local), slurm, local, debug
    "folder": None,  # submitit's job files and logs; null -> <out>/slurm
    "setup": [],  # shell lines run before the worker (module load, venv activation)
    "additional": {},  # any other sbatch option, e.g. {constraint: a100}
    "wait": True,  # wait for the jobs and print the summary; false: submit and return
    # ray: n_workers tasks on a Ray cluster, each running the worker loop
    "address": None,  # null: a running cluster if there is one, else a local one; "auto"; "ray://head:10001"
    "n_workers": None,  # null -> `workers`
    "gpus_per_worker": 1, "cpus_per_worker": 1,  # Ray resources per task (fractional GPUs allowed)
}  # fmt: skip


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
        """Confirmation run k: the k-th seed (seeds past the list: k itself), its data seed."""
        ds = self.data_seeds
        return (self.seeds[k] if k < len(self.seeds) else k, ds[k % len(ds)] if ds else None)

    def space_for(self, cell: Cell) -> list[ParamRange]:
        """The search ranges of a cell: the sweep's, overridden per strategy."""
        merged: dict[str, ParamRange | None] = dict(self.space)
        merged.update(self.strategy_space.get(str(cell.as_dict.get("strategy")), {}))
        return [r for k, r in sorted(merged.items()) if r is not None]


def _err(path: Path, key: str, problem: str, allowed: Any = None) -> ConfigError:
    return ConfigError(f"{path}: {key}", problem, allowed)


def _range(path: Path, key: str, name: str, value: Any) -> ParamRange:
    if (
        not isinstance(value, dict)
        or not {"low", "high"} <= set(value)
        or set(value) - {"low", "high", "log"}
    ):
        raise _err(
            path,
            key,
            "a range needs `low` and `high` (and optionally `log`)",
            ["low", "high", "log"],
        )
    try:  # YAML reads 1e-5 (no dot) as a string: numbers are converted here
        low, high = float(value["low"]), float(value["high"])
    except (TypeError, ValueError):
        raise _err(
            path, key, f"low and high must be numbers, got {value['low']!r}..{value['high']!r}"
        ) from None
    log = _bool(path, f"{key}.log", value.get("log", False))
    if not low < high or (log and low <= 0) or not (math.isfinite(low) and math.isfinite(high)):
        raise _err(
            path,
            key,
            f"needs 0 < low < high for log ranges and low < high otherwise, got {low}..{high}",
        )
    return ParamRange(name, low, high, log)


def _apply_overrides(raw: dict[str, Any], overrides: list[str], path: Path) -> dict[str, Any]:
    cfg = OmegaConf.create(raw)
    for item in overrides:
        if "=" not in item:
            raise _err(path, item, "an override looks like key=value, e.g. search.n_trials=4")
        key = item.split("=", 1)[0].lstrip("+")
        if key.split(".")[0] not in TOP_KEYS:
            raise _err(path, key, "unknown sweep key", TOP_KEYS)
        try:
            value = yaml.safe_load(item.split("=", 1)[1])
            if key in ("launcher", "tracker") and isinstance(value, str):
                key = f"{key}.name"  # `launcher=slurm`, `tracker=none` keep the other options
            OmegaConf.update(cfg, key, value, merge=False, force_add=True)
        except (OmegaConfBaseException, yaml.YAMLError) as exc:
            raise _err(path, key, str(exc).splitlines()[0]) from None
    out = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(out, dict)
    return out  # type: ignore[return-value]


def _check_keys(path: Path, where: str, got: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in got:
        if key not in allowed:
            raise _err(path, f"{where}{key}", "unknown key", allowed)


def _mapping(
    path: Path, key: str, value: Any, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A section of options (absent = empty); where `names` are given, a bare name picks one."""
    if value is None:
        return {}
    if names is not None and isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        kind = "a name or a mapping of options" if names else "a mapping of keys"
        raise _err(path, key, f"must be {kind}, got {value!r}", names)
    return value


def _bool(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _err(path, key, f"must be true or false, got {value!r}")
    return value


def _named(path: Path, key: str, options: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """`<key>.name` is one of `allowed` (a launcher, tracker, sampler or pruner)."""
    if options["name"] not in allowed:
        kind = key.split(".")[-1]
        raise _err(path, f"{key}.name", f"unknown {kind} {options['name']!r}", allowed)


def _whole(path: Path, key: str, value: Any, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _err(path, key, f"must be a whole number >= {low}, got {value!r}")
    return value


def _choice(
    path: Path,
    key: str,
    options: dict[str, Any],
    allowed: tuple[str, ...],
    build: Callable[[dict[str, Any]], object],
) -> None:
    """A sampler or pruner: a known name, and options its Optuna class accepts."""
    _named(path, key, options, allowed)
    share = options.get("warmup_share")
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1
    ):
        raise _err(path, f"{key}.warmup_share", f"must be in [0, 1), got {share!r}")
    for option, value in options.items():  # counts Optuna only compares once the sweep runs
        if option.startswith("n_"):
            _whole(path, f"{key}.{option}", value, 0)
    try:
        build(options)
    except (TypeError, ValueError) as exc:
        raise _err(path, key, f"{options['name']}: {exc}") from None


def _search(path: Path, s: dict[str, Any]) -> dict[str, Any]:
    _check_keys(path, "search.", s, SEARCH_KEYS)
    n = _whole(path, "search.n_trials", s.get("n_trials", 8), 1)
    space = {
        k: _range(path, f"search.space.{k}", k, v)
        for k, v in _mapping(path, "search.space", s.get("space")).items()
    }
    if not space:
        raise _err(
            path,
            "search.space",
            "needs at least one range, e.g. lr: {low: 1e-5, high: 1e-3, log: true}",
        )
    per = {  # a null range: not searched for that strategy (e.g. dropout where nothing trains)
        strat: {
            k: None if v is None else _range(path, f"search.strategy_space.{strat}.{k}", k, v)
            for k, v in _mapping(path, f"search.strategy_space.{strat}", ranges).items()
        }
        for strat, ranges in _mapping(
            path, "search.strategy_space", s.get("strategy_space")
        ).items()
    }
    sampler = {
        "name": "tpe",
        "seed": 0,
        **_mapping(path, "search.sampler", s.get("sampler"), SAMPLERS),
    }
    _whole(path, "search.sampler.seed", sampler["seed"], 0)
    _choice(path, "search.sampler", sampler, SAMPLERS, lambda o: make_sampler(o, 0))
    pruner = {"name": "median", **_mapping(path, "search.pruner", s.get("pruner"), PRUNERS)}
    _choice(path, "search.pruner", pruner, PRUNERS, make_pruner)
    metric = s.get("metric", "val_accuracy")
    if metric not in selectable_metrics():
        raise _err(path, "search.metric", f"cannot select on {metric!r}", selectable_metrics())
    return {
        "n_trials": n, "metric": metric, "space": space, "strategy_space": per, "sampler": sampler,
        "pruner": pruner, "heartbeat_s": _whole(path, "search.heartbeat_s", s.get("heartbeat_s", 10), 1),
    }  # fmt: skip


def _seeds(path: Path, value: Any, key: str = "confirm.seeds") -> list[int]:
    """`seeds: 3` (0, 1, 2), `{min: 3, max: 12}` (0, 1, 2 first) or a list of distinct seeds."""
    if isinstance(value, dict) and key == "confirm.seeds":
        return list(range(_report_options(path, {"confirm": {"seeds": value}}).seeds_min))
    if isinstance(value, int) and not isinstance(value, bool):
        return list(range(_whole(path, key, value, 1)))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        or len(set(value)) != len(value)
    ):
        raise _err(
            path, key, f"must be a count >= 1 or a list of distinct seeds >= 0, got {value!r}"
        )
    return list(value)


def _report_options(path: Path, raw: dict[str, Any]) -> ReportOptions:
    """The `report:` section and sequential `confirm.seeds`, checked by the report's own rules."""
    try:
        return report_options(raw)
    except ReportError as exc:
        key, _, problem = str(exc).partition(": ")
        raise _err(path, key, problem) from None


def _tracker(path: Path, value: Any) -> dict[str, Any]:
    tracker = {"name": "mlflow", "uri": None, **_mapping(path, "tracker", value, TRACKERS)}
    _check_keys(path, "tracker.", tracker, ("name", "uri"))
    _named(path, "tracker", tracker, TRACKERS)
    if tracker["uri"] is not None and not isinstance(tracker["uri"], str):
        raise _err(path, "tracker.uri", f"must be a tracking URI, got {tracker['uri']!r}")
    return tracker


def _text(path: Path, key: str, value: Any) -> str | None:
    """A name, path or URL: text (a bare number is read as text), or absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _err(path, key, f"must be text, got {value!r}")


def _grid(path: Path, grid: Any) -> dict[str, list[Any]]:
    if not isinstance(grid, dict) or not grid:
        raise _err(path, "grid", "needs at least one axis, e.g. strategy: [full, head_only]")
    out = {}
    for axis, values in grid.items():
        values = values if isinstance(values, list) else [values]
        if not values:
            raise _err(path, f"grid.{axis}", "has no values")
        out[str(axis)] = values
    return out


def _launcher(path: Path, value: Any, workers: int) -> dict[str, Any]:
    """`launcher: slurm` or a mapping of options; counts default to `workers`."""
    opts = {**LAUNCHER_DEFAULTS, **_mapping(path, "launcher", value, LAUNCHERS)}
    _check_keys(path, "launcher.", opts, tuple(LAUNCHER_DEFAULTS))
    _named(path, "launcher", opts, LAUNCHERS)
    opts["n_jobs"] = workers if opts["n_jobs"] is None else opts["n_jobs"]
    opts["n_workers"] = workers if opts["n_workers"] is None else opts["n_workers"]
    for key in ("n_jobs", "n_workers", "time_min", "cpus_per_job", "gpus_per_job"):
        _whole(path, f"launcher.{key}", opts[key], 0 if key.startswith("gpus") else 1)
    for key in ("cpus_per_worker", "gpus_per_worker"):
        if not isinstance(opts[key], (int, float)) or opts[key] < 0:
            raise _err(path, f"launcher.{key}", f"must be a number >= 0, got {opts[key]!r}")
    return opts


def load_sweep(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> SweepSpec:
    """Read, override and validate a sweep file; every problem names its key."""
    path = Path(path)
    if not path.is_file():
        options = (
            sorted(p.name for p in Path("sweeps").glob("*.yaml")) if Path("sweeps").is_dir() else []
        )
        raise ConfigError("sweep file", f"not found: {path}", options or None)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise _err(path, "yaml", f"cannot parse: {exc}") from None
    if not isinstance(raw, dict):
        raise _err(path, "top level", "must be a mapping of keys")
    for key in ("launcher", "tracker"):  # `launcher: slurm` in the file; other types fail below
        if isinstance(raw.get(key), str):
            raw[key] = {"name": raw[key]}
    raw = _apply_overrides(raw, list(overrides), path)
    _check_keys(path, "", raw, TOP_KEYS)
    name = _text(path, "name", raw.get("name")) or path.stem
    base = raw.get("base") or []
    if not isinstance(base, list) or not all(isinstance(b, str) and "=" in b for b in base):
        raise _err(path, "base", "must be a list of overrides like `model=minilm`")
    if any(b.lstrip("+").startswith("train.selection_metric=") for b in base):
        raise _err(path, "base", "train.selection_metric follows search.metric: set that instead")
    confirm = _mapping(path, "confirm", raw.get("confirm"))
    _check_keys(path, "confirm.", confirm, ("seeds", "data_seeds", "reuse_search_run"))
    reuse = _bool(path, "confirm.reuse_search_run", confirm.get("reuse_search_run", False))
    data_seeds = (
        None
        if confirm.get("data_seeds") is None
        else _seeds(path, confirm["data_seeds"], "confirm.data_seeds")
    )
    out = Path(_text(path, "out", raw.get("out")) or Path("runs") / name)
    storage = (
        _text(path, "storage", raw.get("storage")) or f"sqlite:///{(out / 'study.db').resolve()}"
    )
    workers = _whole(path, "workers", raw.get("workers", 1), 1)
    opts = _report_options(path, raw)
    seeds = _seeds(path, confirm.get("seeds", 3))
    return SweepSpec(
        name=name, path=path, base=list(base), grid=_grid(path, raw.get("grid")),
        **_search(path, _mapping(path, "search", raw.get("search"))),
        seeds=seeds, reuse_search_run=reuse, data_seeds=data_seeds,
        seeds_max=opts.seeds_max if opts.sequential else 0, margin=opts.margin, alpha=opts.alpha,
        storage=storage, out=out,
        workers=workers, tracker=_tracker(path, raw.get("tracker")), raw=raw,
        launcher=_launcher(path, raw.get("launcher"), workers),
    )  # fmt: skip
