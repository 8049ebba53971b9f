"""The sweep file (`sweeps/*.yaml`): command-line overrides, each section validated, the typed
`SweepSpec` (schema.py) built before anything runs."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.errors import ConfigError
from harness.sweep.checks import (
    boolean,
    check_keys,
    choice,
    err,
    mapping,
    named,
    param_range,
    plain_name,
    report_opts,
    seed_list,
    text,
    whole,
)
from harness.sweep.schema import (
    AXIS_KEYS,
    LAUNCHER_DEFAULTS,
    LAUNCHERS,
    PARAM_KEYS,
    Cell,
    ParamRange,
    SweepSpec,
)
from harness.sweep.study import PRUNERS, SAMPLERS, make_pruner, make_sampler

__all__ = ["Cell", "ParamRange", "SweepSpec", "load_sweep", "PARAM_KEYS", "AXIS_KEYS", "LAUNCHERS"]

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
    "budget",
)
SEARCH_KEYS = (
    "n_trials",
    "steps",
    "metric",
    "space",
    "strategy_space",
    "sampler",
    "pruner",
    "heartbeat_s",
)


def selectable_metrics() -> tuple[str, ...]:
    """What a sweep can maximise (every trial selects its best evaluation and reports to the
    pruner on it): the selectable metrics of every task in conf/task/."""
    from harness.tasks import load_task, task_names  # tasks import the data package

    chosen = itertools.chain(*(load_task(n).selection_metrics for n in task_names()))
    return tuple(f"val_{m}" for m in dict.fromkeys(chosen))


TRACKERS = ("mlflow", "none")


def _apply_overrides(raw: dict[str, Any], overrides: list[str], path: Path) -> dict[str, Any]:
    cfg = OmegaConf.create(raw)
    for item in overrides:
        if "=" not in item:
            raise err(path, item, "an override looks like key=value, e.g. search.n_trials=4")
        key = item.split("=", 1)[0].lstrip("+")
        if key.split(".")[0] not in TOP_KEYS:
            raise err(path, key, "unknown sweep key", TOP_KEYS)
        try:
            value = yaml.safe_load(item.split("=", 1)[1])
            if key in ("launcher", "tracker") and isinstance(value, str):
                key = f"{key}.name"  # `launcher=slurm`, `tracker=none` keep the other options
            OmegaConf.update(cfg, key, value, merge=False, force_add=True)
        except (OmegaConfBaseException, yaml.YAMLError) as exc:
            raise err(path, key, str(exc).splitlines()[0]) from None
    out = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(out, dict)
    return out  # type: ignore[return-value]


def _search(path: Path, s: dict[str, Any]) -> dict[str, Any]:
    check_keys(path, "search.", s, SEARCH_KEYS)
    n = whole(path, "search.n_trials", s.get("n_trials", 8), 1)
    steps = None if s.get("steps") is None else whole(path, "search.steps", s["steps"], 1)
    space = {
        k: param_range(path, f"search.space.{k}", k, v)
        for k, v in mapping(path, "search.space", s.get("space")).items()
    }
    if not space:
        raise err(
            path,
            "search.space",
            "needs at least one range, e.g. lr: {low: 1e-5, high: 1e-3, log: true}",
        )
    per = {  # a null range: not searched for that strategy (e.g. dropout where nothing trains)
        strat: {
            k: None if v is None else param_range(path, f"search.strategy_space.{strat}.{k}", k, v)
            for k, v in mapping(path, f"search.strategy_space.{strat}", ranges).items()
        }
        for strat, ranges in mapping(path, "search.strategy_space", s.get("strategy_space")).items()
    }
    sampler = {
        "name": "tpe",
        "seed": 0,
        **mapping(path, "search.sampler", s.get("sampler"), SAMPLERS),
    }
    whole(path, "search.sampler.seed", sampler["seed"], 0)
    choice(path, "search.sampler", sampler, SAMPLERS, lambda o: make_sampler(o, 0))
    pruner = {"name": "median", **mapping(path, "search.pruner", s.get("pruner"), PRUNERS)}
    choice(path, "search.pruner", pruner, PRUNERS, make_pruner)
    metric = s.get("metric", "val_accuracy")
    if metric not in selectable_metrics():
        raise err(path, "search.metric", f"cannot select on {metric!r}", selectable_metrics())
    return {
        "n_trials": n,
        "search_steps": steps,
        "metric": metric,
        "space": space,
        "strategy_space": per,
        "sampler": sampler,
        "pruner": pruner,
        "heartbeat_s": whole(path, "search.heartbeat_s", s.get("heartbeat_s", 10), 1),
    }


def _budget(path: Path, value: Any) -> float | None:
    """`budget: {minutes: M}`: trial minutes per worker the sweep may spend (null: no limit)."""
    if value is None:
        return None
    section = mapping(path, "budget", value)
    check_keys(path, "budget.", section, ("minutes",))
    minutes = section.get("minutes")
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes > 0:
        raise err(path, "budget.minutes", f"must be a number of minutes > 0, got {minutes!r}")
    return float(minutes)


def _tracker(path: Path, value: Any) -> dict[str, Any]:
    tracker = {"name": "mlflow", "uri": None, **mapping(path, "tracker", value, TRACKERS)}
    check_keys(path, "tracker.", tracker, ("name", "uri"))
    named(path, "tracker", tracker, TRACKERS)
    if tracker["uri"] is not None and not isinstance(tracker["uri"], str):
        raise err(path, "tracker.uri", f"must be a tracking URI, got {tracker['uri']!r}")
    return tracker


def _grid(path: Path, grid: Any) -> dict[str, list[Any]]:
    if not isinstance(grid, dict) or not grid:
        raise err(path, "grid", "needs at least one axis, e.g. strategy: [full, head_only]")
    out = {}
    for axis, values in grid.items():
        values = values if isinstance(values, list) else [values]
        if not values:
            raise err(path, f"grid.{axis}", "has no values")
        out[str(axis)] = values
    return out


def _launcher(path: Path, value: Any, workers: int) -> dict[str, Any]:
    """`launcher: slurm` or a mapping of options; counts default to `workers`."""
    opts = {**LAUNCHER_DEFAULTS, **mapping(path, "launcher", value, LAUNCHERS)}
    check_keys(path, "launcher.", opts, tuple(LAUNCHER_DEFAULTS))
    named(path, "launcher", opts, LAUNCHERS)
    opts["n_jobs"] = workers if opts["n_jobs"] is None else opts["n_jobs"]
    opts["n_workers"] = workers if opts["n_workers"] is None else opts["n_workers"]
    for key in ("n_jobs", "n_workers", "time_min", "cpus_per_job", "gpus_per_job"):
        whole(path, f"launcher.{key}", opts[key], 0 if key.startswith("gpus") else 1)
    for key in ("cpus_per_worker", "gpus_per_worker"):
        if not isinstance(opts[key], (int, float)) or opts[key] < 0:
            raise err(path, f"launcher.{key}", f"must be a number >= 0, got {opts[key]!r}")
    return opts


def _read(path: Path, overrides: list[str]) -> dict[str, Any]:
    """The file as a mapping, command-line overrides applied, top-level keys checked."""
    if not path.is_file():
        options = (
            sorted(p.name for p in Path("sweeps").glob("*.yaml")) if Path("sweeps").is_dir() else []
        )
        raise ConfigError("sweep file", f"not found: {path}", options or None)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise err(path, "yaml", f"cannot parse: {exc}") from None
    if not isinstance(raw, dict):
        raise err(path, "top level", "must be a mapping of keys")
    for key in ("launcher", "tracker"):  # `launcher: slurm` in the file; other types fail below
        if isinstance(raw.get(key), str):
            raw[key] = {"name": raw[key]}
    raw = _apply_overrides(raw, overrides, path)
    check_keys(path, "", raw, TOP_KEYS)
    return raw


def load_sweep(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> SweepSpec:
    """Read, override and validate a sweep file; every problem names its key."""
    path = Path(path)
    raw = _read(path, list(overrides))
    name = plain_name(path, text(path, "name", raw.get("name")) or path.stem)
    base = raw.get("base") or []
    if not isinstance(base, list) or not all(isinstance(b, str) and "=" in b for b in base):
        raise err(path, "base", "must be a list of overrides like `model=minilm`")
    if any(b.lstrip("+").startswith("train.selection_metric=") for b in base):
        raise err(path, "base", "train.selection_metric follows search.metric: set that instead")
    confirm = mapping(path, "confirm", raw.get("confirm"))
    check_keys(
        path, "confirm.", confirm, ("seeds", "data_seeds", "seeds_per_draw", "reuse_search_run")
    )
    reuse = boolean(path, "confirm.reuse_search_run", confirm.get("reuse_search_run", False))
    data_seeds = (
        None
        if confirm.get("data_seeds") is None
        else seed_list(path, confirm["data_seeds"], "confirm.data_seeds")
    )
    out = Path(text(path, "out", raw.get("out")) or Path("runs") / name)
    storage = (
        text(path, "storage", raw.get("storage")) or f"sqlite:///{(out / 'study.db').resolve()}"
    )
    workers = whole(path, "workers", raw.get("workers", 1), 1)
    search = _search(path, mapping(path, "search", raw.get("search")))
    if reuse and search["search_steps"] is not None:
        raise err(
            path,
            "search.steps",
            "search trials stop early, so none can stand in for a confirmation run: drop "
            "search.steps or confirm.reuse_search_run",
        )
    opts = report_opts(path, raw)
    seeds = seed_list(path, confirm.get("seeds", 3))
    return SweepSpec(
        name=name,
        path=path,
        base=list(base),
        grid=_grid(path, raw.get("grid")),
        **search,
        seeds=seeds,
        reuse_search_run=reuse,
        data_seeds=data_seeds,
        seeds_max=opts.seeds_max if opts.sequential else 0,
        margin=opts.margin,
        alpha=opts.alpha,
        spending=opts.spending,
        seeds_per_draw=opts.look_step,
        budget_minutes=_budget(path, raw.get("budget")),
        storage=storage,
        out=out,
        workers=workers,
        tracker=_tracker(path, raw.get("tracker")),
        raw=raw,
        launcher=_launcher(path, raw.get("launcher"), workers),
    )
