"""Compose a trial's config from conf/ with Hydra's Compose API and type it at the boundary.

Everything below `load_spec` takes the typed `TrialSpec`, never a DictConfig.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from harness.errors import ConfigError
from harness.paths import conf_dir, register_resolvers

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

GROUPS = (
    "augmentation",
    "model",
    "dataset",
    "strategy",
    "optimizer",
    "scheduler",
    "regularization",
    "head",
    "loss",
    "tracker",
)
DEVICES = ("auto", "cpu", "cuda")
PRECISIONS = ("auto", "fp32", "bf16")
FORMATS = ("auto", "tsv", "csv", "jsonl", "hub", "conll")
POOLINGS = ("cls", "mean", "none")  # none: a per-token head (token classification)
TASKS = ("sequence_classification", "token_classification")
# the validation metrics (keys of `train.evaluate`) a task can select its epoch and prune on;
# the first is the task's default (`train.selection_metric: auto`)
SELECTION_METRICS = {
    "sequence_classification": ("accuracy", "macro_f1"),
    "token_classification": ("entity_f1", "accuracy", "macro_f1"),
}
CONLL_FILES = ("train.txt", "test.txt")  # what a token dataset's data_dir must hold


@dataclass(frozen=True)
class ModelSpec:
    name: str
    name_or_path: str
    random_init: dict[str, int] | None

    @property
    def key(self) -> str:
        """Names the pretrained weights: what process-wide caches of their outputs are keyed by."""
        return f"{self.name_or_path}|{self.random_init}"


@dataclass(frozen=True)
class DataSpec:
    name: str
    format: str
    train_path: str | None
    test_path: str | None
    hub_name: str | None
    hub_subset: str | None
    train_split: str
    test_split: str
    text_column: str
    label_column: str
    train_size: int
    val_size: int
    data_seed: int
    max_length: int
    task: str = "sequence_classification"
    data_dir: str | None = None  # token datasets: folder of CoNLL files


@dataclass(frozen=True)
class TrainSpec:
    epochs: int | None  # None = auto
    min_epochs: int
    max_epochs: int
    target_samples: int
    batch_size: int
    eval_batch_size: int | None  # None = auto (by device)
    max_grad_norm: float | None
    eval_every_steps: int | None
    cache_frozen: bool
    cache_users: int
    precision: str
    compile: bool
    drift_examples: int
    selection_metric: str  # resolved: never `auto`


@dataclass(frozen=True)
class RegSpec:
    dropout: float
    weight_decay: float
    l1: float
    label_smoothing: float
    early_stopping_patience: int | None
    early_stopping_min_delta: float


@dataclass(frozen=True)
class TrackerSpec:
    name: str
    uri: str | None
    experiment: str | None


@dataclass(frozen=True)
class TrialSpec:
    """A validated trial. `*_cfg` are plain `_target_` dicts, instantiated in `harness.trial`."""

    choices: dict[str, str]
    model: ModelSpec
    data: DataSpec
    train: TrainSpec
    reg: RegSpec
    tracker: TrackerSpec
    seed: int
    device: str
    lr: float
    save_checkpoint: bool
    out: str
    record_path: str | None
    strategy_cfg: dict[str, Any]
    optimizer_cfg: dict[str, Any]
    scheduler_cfg: dict[str, Any]
    head_cfg: dict[str, Any]
    loss_cfg: dict[str, Any]
    augmentation_cfg: dict[str, Any]
    config: dict[str, Any] = field(repr=False)


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files in conf/<group>/ (the group is the registry)."""
    return sorted(p.stem for p in (conf_dir() / group).glob("*.yaml"))


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


def compose_config(overrides: Sequence[str] = (), config_name: str = "config") -> DictConfig:
    """Compose conf/<config_name>.yaml with Hydra overrides; errors become `ConfigError`."""
    register_resolvers()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(conf_dir()), version_base=None):
            cfg = compose(config_name, overrides=list(overrides), return_hydra_config=True)
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


def _choose(key: str, value: object, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ConfigError(key, f"unknown value {value!r}", allowed)
    return str(value)


def _positive(key: str, value: object, *, allow_zero: bool = False, kind: type = float) -> Any:
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        ok_type = isinstance(value, int) and not isinstance(value, bool)
    if not ok_type:
        raise ConfigError(
            key, f"must be a {'whole number' if kind is int else 'number'}, got {value!r}"
        )
    if value < 0 or (value == 0 and not allow_zero):  # type: ignore[operator]
        raise ConfigError(key, f"must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return value


def _flag(key: str, value: object) -> bool:
    """true/false only: a typo like `maybe` must not read as true."""
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}", ["true", "false"])
    return value


def _token_data(d: dict[str, Any]) -> None:
    """A token dataset reads CoNLL files from data_dir, or the hub; the folder is checked now."""
    _choose("dataset.format", d["format"], ("conll", "hub"))
    if d["format"] == "hub" or (d.get("hub_name") and not d.get("data_dir")):
        return
    if not d.get("data_dir"):
        raise ConfigError(
            "dataset.data_dir", "is required: a folder with " + ", ".join(CONLL_FILES)
        )
    folder = Path(d["data_dir"])
    missing = [f for f in CONLL_FILES if not (folder / f).is_file()]
    if missing:
        raise ConfigError(
            "dataset.data_dir", f"{str(folder)!r} lacks {', '.join(missing)}", CONLL_FILES
        )


def _data_spec(d: dict[str, Any]) -> DataSpec:
    _choose("dataset.format", d["format"], FORMATS)
    _choose("dataset.task", d.get("task", TASKS[0]), TASKS)
    if d.get("task") == "token_classification":
        _token_data(d)
    for k in ("train_size", "val_size", "max_length"):
        _positive(f"dataset.{k}", d[k], kind=int)
    return DataSpec(**d)


def _check_task(task: str, head: str, head_cfg: dict[str, Any], augmentation: str) -> None:
    """The head must match the dataset's task (per-token heads have pooling `none`)."""

    def head_task(cfg: Any) -> str:
        return TASKS[1] if isinstance(cfg, dict) and cfg.get("pooling") == "none" else TASKS[0]

    if head_task(head_cfg) != task:
        fits = [
            h
            for h in group_options("head")
            if head_task(OmegaConf.to_container(OmegaConf.load(conf_dir() / "head" / f"{h}.yaml")))
            == task
        ]
        raise ConfigError("head", f"{head!r} does not fit the dataset's task {task!r}", fits)
    if task == TASKS[1] and augmentation != "none":
        raise ConfigError(
            "augmentation", f"{augmentation!r} edits whole sentences, not tagged words", ["none"]
        )


def _train_spec(t: dict[str, Any], task: str) -> TrainSpec:
    epochs = t["epochs"]
    if epochs != "auto":
        _positive("train.epochs", epochs, kind=int)
    for k in ("min_epochs", "max_epochs", "target_samples", "batch_size", "cache_users"):
        _positive(f"train.{k}", t[k], kind=int)
    if t["eval_batch_size"] != "auto":
        _positive("train.eval_batch_size", t["eval_batch_size"], kind=int)
    if t["max_epochs"] < t["min_epochs"]:
        raise ConfigError("train.max_epochs", f"must be >= train.min_epochs ({t['min_epochs']})")
    if t["max_grad_norm"] is not None:
        _positive("train.max_grad_norm", t["max_grad_norm"])
    if t["eval_every_steps"] is not None:
        _positive("train.eval_every_steps", t["eval_every_steps"], kind=int)
    _choose("train.precision", t["precision"], PRECISIONS)
    _positive("train.drift_examples", t["drift_examples"], allow_zero=True, kind=int)
    for k in ("cache_frozen", "compile"):
        _flag(f"train.{k}", t[k])
    metric = (
        SELECTION_METRICS[task][0] if t["selection_metric"] == "auto" else t["selection_metric"]
    )
    _choose("train.selection_metric", metric, SELECTION_METRICS[task])
    auto = {k: None if t[k] == "auto" else int(t[k]) for k in ("epochs", "eval_batch_size")}
    return TrainSpec(**{**t, **auto, "selection_metric": metric})


def _reg_spec(r: dict[str, Any]) -> RegSpec:
    for k in ("dropout", "label_smoothing"):
        v = _positive(f"regularization.{k}", r[k], allow_zero=True)
        if v >= 1:
            raise ConfigError(f"regularization.{k}", f"must be in [0, 1), got {v}")
    for k in ("weight_decay", "l1", "early_stopping_min_delta"):
        _positive(f"regularization.{k}", r[k], allow_zero=True)
    if r["early_stopping_patience"] is not None:
        _positive("regularization.early_stopping_patience", r["early_stopping_patience"], kind=int)
    return RegSpec(
        **{  # type: ignore[arg-type]
            k: float(v) if isinstance(v, int) and k != "early_stopping_patience" else v
            for k, v in r.items()
        }
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
    lr = _positive("optimizer.lr", c["optimizer"].get("lr"))
    _choose("device", c["device"], DEVICES)
    _positive("seed", c["seed"], allow_zero=True, kind=int)
    _choose("head.pooling", c["head"].get("pooling"), POOLINGS)
    _positive("head.dropout", c["head"].get("dropout", 0.0), allow_zero=True)
    sched = c["scheduler"]
    warmup = _positive("scheduler.warmup_ratio", sched.get("warmup_ratio", 0.0), allow_zero=True)
    if warmup >= 1:
        raise ConfigError(
            "scheduler.warmup_ratio", f"must be in [0, 1), got {sched['warmup_ratio']}"
        )
    data = _data_spec(c["dataset"])
    _check_task(data.task, choices["head"], c["head"], choices["augmentation"])
    m = c["model"]
    return TrialSpec(
        choices=choices,
        model=ModelSpec(
            name=m["name"], name_or_path=str(m["name_or_path"]), random_init=m["random_init"]
        ),
        data=data,
        train=_train_spec(c["train"], data.task),
        reg=_reg_spec(c["regularization"]),
        tracker=TrackerSpec(**c["tracker"]),
        seed=int(c["seed"]),
        device=c["device"],
        lr=float(lr),
        save_checkpoint=_flag("save_checkpoint", c["save_checkpoint"]),
        out=str(c["out"]),
        record_path=None if c["record_path"] is None else str(c["record_path"]),
        strategy_cfg=c["strategy"],
        optimizer_cfg=c["optimizer"],
        scheduler_cfg=sched,
        head_cfg=c["head"],
        loss_cfg=c["loss"],
        augmentation_cfg=c["augmentation"],
        config=c,
    )


def load_spec(overrides: Sequence[str] = ()) -> TrialSpec:
    """Compose + validate: the one entry point from user overrides to a typed trial."""
    return to_spec(compose_config(overrides))
