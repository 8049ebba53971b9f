"""Compose a trial's config from conf/ with Hydra's Compose API and type it at the boundary.

Everything below `load_spec` takes the typed `TrialSpec`, never a DictConfig.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.utils import get_object
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from harness.errors import ConfigError
from harness.hints import unknown_key
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
    check_target_keys,
    data_spec,
    model_spec,
    reg_spec,
    strategy_options,
    train_spec,
)

if TYPE_CHECKING:
    from harness.tasks import Task

__all__ = [
    "DataSpec",
    "ModelSpec",
    "RegSpec",
    "TrackerSpec",
    "TrainSpec",
    "TrialSpec",
    "compose_config",
    "compose_trial",
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
        if "." not in name:
            return ConfigError(name, "no such key", None)
        return unknown_key(name, overrides)
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


def _task(choice: object, dataset: Any) -> Task:
    """The trial's task: `task=` if given, else the dataset's `task:` key, where a sequence
    dataset with a second text column is the sentence-pair task."""
    # imported here: the task modules import the data package, which imports this module
    from harness.tasks import load_task

    if choice not in (None, "None"):
        return load_task(str(choice))
    name = str(dataset.get("task") or "sequence_classification")
    if name == "sequence_classification" and dataset.get("text_pair_column"):
        name = "sentence_pair_classification"
    return load_task(name)


def _head_kind(cfg: Any) -> str:
    """What a head option's logits are per (its class's `kind`; pooled when it names none)."""
    target = cfg.get("_target_") if isinstance(cfg, dict) else None
    try:
        obj = get_object(str(target))
    except Exception:  # noqa: BLE001 - an unimportable head fails later, naming itself
        return "pooled"
    return str(getattr(obj, "kind", "pooled"))


def _check_head(task: Task, head: str, head_cfg: dict[str, Any]) -> None:
    """The head must fit the task (a per-token head for tagging, a span head for QA)."""
    if _head_kind(head_cfg) != task.head_kind:
        fits = [
            h
            for h in group_options("head")
            if _head_kind(OmegaConf.to_container(OmegaConf.load(find_option("head", h))))
            == task.head_kind
        ]
        raise ConfigError("head", f"{head!r} does not fit the dataset's task {task.name!r}", fits)


def _hub_for_folder(ds: DictConfig) -> None:
    """Online users of a dataset read by path (conll2003's `data_dir`, squad's `train_path` /
    `test_path`) may give `hub_name` instead: the paths it stands in for are left unset."""
    if OmegaConf.is_missing(ds, "hub_name") or not ds.get("hub_name"):
        return
    for key in ("data_dir", "train_path", "test_path"):
        if OmegaConf.is_missing(ds, key):  # False too when the key is absent
            ds[key] = None


def to_spec(cfg: DictConfig) -> TrialSpec:
    """Validate a composed config once and return its typed form."""
    choices = {g: str(cfg.hydra.runtime.choices.get(g)) for g in GROUPS}
    _hub_for_folder(cfg.dataset)
    c = _resolved(cfg)
    task = _task(cfg.hydra.runtime.choices.get("task"), c["dataset"])
    choices["task"] = task.name
    lr = check_positive("optimizer.lr", c["optimizer"].get("lr"))
    head_lr = strategy_options(c["strategy"])
    check_target_keys("strategy", choices["strategy"], c["strategy"], taken=("head_lr",))
    for group in ("optimizer", "scheduler", "loss", "augmentation"):
        check_target_keys(group, choices[group], c[group])
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
    data = data_spec(c["dataset"], task)
    _check_head(task, choices["head"], c["head"])
    task.check_augmentation(choices["augmentation"])
    m = c["model"]
    return TrialSpec(
        choices=choices,
        model=model_spec(m),
        data=data,
        train=train_spec(c["train"], task.selection_metrics, data.selection_metric),
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


def _default_head(cfg: DictConfig, overrides: Sequence[str]) -> str | None:
    """The task's own head when the user named none and the root default does not fit it
    (`dataset=conll2003` alone trains `token_linear`); None: keep the composed head."""
    if any(o.split("=", 1)[0].lstrip("+~") == "head" for o in overrides):
        return None  # an explicit `head=` always wins (and is checked against the task)
    choices = cfg.hydra.runtime.choices
    task = _task(choices.get("task"), cfg.dataset)
    return None if choices.get("head") == task.default_head else task.default_head


def compose_trial(overrides: Sequence[str] = ()) -> DictConfig:
    """A trial's config as it will run: composed, with the task's own head unless `head=` is
    given (composed again, so `head.*` overrides apply to the task's head)."""
    cfg = compose_config(overrides)
    head = _default_head(cfg, overrides)
    return cfg if head is None else compose_config([*overrides, f"head={head}"])


def load_spec(overrides: Sequence[str] = ()) -> TrialSpec:
    """Compose + validate: the one entry point from user overrides to a typed trial."""
    return replace(to_spec(compose_trial(overrides)), overrides=tuple(overrides))
