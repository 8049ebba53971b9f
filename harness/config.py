"""Compose a trial's config from conf/ with Hydra's Compose API and type it at the boundary.

Everything below `load_spec` takes the typed `TrialSpec`, never a DictConfig.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from harness.errors import ConfigError
from harness.paths import (
    conf_dir,
    config_dirs,
    find_option,
    register_resolvers,
    user_config_dirs,
)
from harness.specs import (
    DEVICES,
    GROUPS,
    POOLINGS,
    SELECTION_METRICS,
    TASKS,
    DataSpec,
    ModelSpec,
    RegSpec,
    TrackerSpec,
    TrainSpec,
    TrialSpec,
)
from harness.validate import (
    check_choice,
    check_flag,
    check_positive,
    data_spec,
    model_spec,
    reg_spec,
    strategy_options,
    train_spec,
)

__all__ = [
    "SELECTION_METRICS",
    "TASKS",
    "DataSpec",
    "ModelSpec",
    "RegSpec",
    "TrackerSpec",
    "TrainSpec",
    "TrialSpec",
    "compose_config",
    "group_options",
    "load_spec",
    "to_spec",
]


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files in <folder>/<group>/ of conf/ and the
    user's config folders (the group is the registry)."""
    return sorted({p.stem for d in config_dirs() for p in (d / group).glob("*.yaml")})


def _explain_hydra_error(exc: Exception, overrides: Sequence[str]) -> ConfigError:
    msg = str(exc)
    missing = re.search(r"Could not find '([\w-]+)/([^']+)'", msg)
    if missing:
        group, option = missing.groups()
        return ConfigError(group, f"unknown option {option!r}", group_options(group))
    key = re.search(r"[Kk]ey '([^']+)'", msg)
    override = re.search(r"Could not override '([^']+)'", msg)
    if override:
        name = override.group(1)
        parent = name.rsplit(".", 1)[0] if "." in name else ""
        return ConfigError(name, f"no such key{f' in {parent!r}' if parent else ''}", None)
    if key:
        return ConfigError(key.group(1), msg.splitlines()[0])
    return ConfigError("overrides", msg.splitlines()[0] if msg else type(exc).__name__)


def _with_searchpath(overrides: Sequence[str], folders: Sequence[Path]) -> list[str]:
    """Put the user's config folders on Hydra's search path, after conf/ (which Hydra searches
    first); a `hydra.searchpath=[...]` the user typed is kept, ahead of them."""
    extra = [f"file://{d}" for d in folders]
    if not extra:
        return list(overrides)
    parser = OverridesParser.create()
    given: list[str] = []
    rest: list[str] = []
    for o in overrides:
        if o.split("=", 1)[0] == "hydra.searchpath":
            value = parser.parse_override(o).value()
            given = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        else:
            rest.append(o)
    quoted = ",".join(
        "'" + p.replace("\\", "\\\\").replace("'", "\\'") + "'" for p in [*given, *extra]
    )
    return [*rest, f"hydra.searchpath=[{quoted}]"]


def compose_config(overrides: Sequence[str] = (), config_name: str = "config") -> DictConfig:
    """Compose conf/<config_name>.yaml with Hydra overrides; errors become `ConfigError`.

    Options are looked up in conf/, then in the folders of $HARNESS_CONFIG_PATH."""
    register_resolvers()
    folders = user_config_dirs()  # a missing folder fails here, naming it
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
            full = _with_searchpath(overrides, folders)
            cfg = compose(config_name, overrides=full, return_hydra_config=True)
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        raise _explain_hydra_error(exc, overrides) from None
    finally:
        GlobalHydra.instance().clear()
    return cfg


def _resolved(cfg: DictConfig) -> dict[str, Any]:
    body = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])
    try:
        out = OmegaConf.to_container(body, resolve=True, throw_on_missing=True)
    except MissingMandatoryValue as exc:
        key = getattr(exc, "full_key", None) or str(exc)
        raise ConfigError(
            str(key), f"is required: pass it as an override, e.g. {key}=..."
        ) from None
    except OmegaConfBaseException as exc:
        raise ConfigError(
            str(getattr(exc, "full_key", "config")), str(exc).splitlines()[0]
        ) from None
    assert isinstance(out, dict)
    return out  # type: ignore[return-value]


def _check_task(task: str, head: str, head_cfg: dict[str, Any], augmentation: str) -> None:
    """The head must match the dataset's task (per-token heads have pooling `none`)."""

    def head_task(cfg: Any) -> str:
        return TASKS[1] if isinstance(cfg, dict) and cfg.get("pooling") == "none" else TASKS[0]

    if head_task(head_cfg) != task:
        fits = [
            h
            for h in group_options("head")
            if head_task(OmegaConf.to_container(OmegaConf.load(find_option("head", h)))) == task
        ]
        raise ConfigError("head", f"{head!r} does not fit the dataset's task {task!r}", fits)
    if task == TASKS[1] and augmentation != "none":
        raise ConfigError(
            "augmentation", f"{augmentation!r} edits whole sentences, not tagged words", ["none"]
        )


def _hub_for_folder(ds: DictConfig) -> None:
    """Online users of a folder dataset (conll2003) may give `hub_name` instead of `data_dir`."""
    if not OmegaConf.is_missing(ds, "data_dir"):  # False too when the key is absent
        return
    if not OmegaConf.is_missing(ds, "hub_name") and ds.get("hub_name"):
        ds.data_dir = None


def to_spec(cfg: DictConfig) -> TrialSpec:
    """Validate a composed config once and return its typed form."""
    choices = {g: str(cfg.hydra.runtime.choices.get(g)) for g in GROUPS}
    _hub_for_folder(cfg.dataset)
    c = _resolved(cfg)
    lr = check_positive("optimizer.lr", c["optimizer"].get("lr"))
    head_lr = strategy_options(c["strategy"])
    check_choice("device", c["device"], DEVICES)
    check_positive("seed", c["seed"], allow_zero=True, kind=int)
    check_choice("head.pooling", c["head"].get("pooling"), POOLINGS)
    check_positive("head.dropout", c["head"].get("dropout", 0.0), allow_zero=True)
    sched = c["scheduler"]
    warmup = check_positive(
        "scheduler.warmup_ratio", sched.get("warmup_ratio", 0.0), allow_zero=True
    )
    if warmup >= 1:
        raise ConfigError(
            "scheduler.warmup_ratio", f"must be in [0, 1), got {sched['warmup_ratio']}"
        )
    data = data_spec(c["dataset"])
    _check_task(data.task, choices["head"], c["head"], choices["augmentation"])
    m = c["model"]
    return TrialSpec(
        choices=choices,
        model=model_spec(m),
        data=data,
        train=train_spec(c["train"], data.task, getattr(data, "selection_metric", None)),
        reg=reg_spec(c["regularization"]),
        tracker=TrackerSpec(**c["tracker"]),
        seed=int(c["seed"]),
        device=c["device"],
        lr=float(lr),
        head_lr=head_lr,
        save_checkpoint=check_flag("save_checkpoint", c["save_checkpoint"]),
        out=str(c["out"]),
        record_path=None if c["record_path"] is None else str(c["record_path"]),
        strategy_cfg={k: v for k, v in c["strategy"].items() if k != "head_lr"},
        optimizer_cfg=c["optimizer"],
        scheduler_cfg=sched,
        head_cfg=c["head"],
        loss_cfg=c["loss"],
        augmentation_cfg=c["augmentation"],
        config=c,
    )


def load_spec(overrides: Sequence[str] = ()) -> TrialSpec:
    """Compose + validate: the one entry point from user overrides to a typed trial."""
    return replace(to_spec(compose_config(overrides)), overrides=tuple(overrides))
