"""Checks on a composed config's values, one section at a time: each problem becomes one
`ConfigError` naming its key, before anything runs."""

from __future__ import annotations

import codecs
import inspect
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.errors import ConfigError
from harness.paths import default_cache_dir
from harness.specs import (
    FORMATS,
    PRECISIONS,
    TINY_FAMILIES,
    DataSpec,
    ModelSpec,
    RegSpec,
    TrainSpec,
)

if TYPE_CHECKING:  # the task modules import the data package, which imports the config
    from harness.tasks import Task

__all__ = [
    "check_choice",
    "check_flag",
    "check_positive",
    "check_target_keys",
    "data_spec",
    "model_spec",
    "reg_spec",
    "strategy_options",
    "train_spec",
]


def check_choice(key: str, value: object, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ConfigError(key, f"unknown value {value!r}", allowed)
    return str(value)


def check_positive(key: str, value: object, *, allow_zero: bool = False, kind: type = float) -> Any:
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        ok_type = isinstance(value, int) and not isinstance(value, bool)
    if not ok_type:
        raise ConfigError(
            key, f"must be a {'whole number' if kind is int else 'number'}, got {value!r}"
        )
    if not math.isfinite(value):  # type: ignore[arg-type]
        raise ConfigError(key, f"must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):  # type: ignore[operator]
        raise ConfigError(key, f"must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return value


def check_flag(key: str, value: object) -> bool:
    """true/false only: a typo like `maybe` must not read as true."""
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}", ["true", "false"])
    return value


def _data_sources(d: dict[str, Any]) -> None:
    """The dev split (val_path for files, val_split for the hub) is not the test split, and the
    pair column is a second column."""
    hub = d["format"] == "hub"
    val, other, test = (
        ("val_split", "val_path", "test_split") if hub else ("val_path", "val_split", "test_path")
    )
    if d.get(other):
        raise ConfigError(f"dataset.{other}", f"does not apply to format={d['format']}", [val])
    if d.get(val) and d[val] == d.get(test):
        raise ConfigError(f"dataset.{val}", f"{d[val]!r} is the test split: keep validation apart")
    pair = d.get("text_pair_column")
    if pair is not None and pair == d["text_column"]:
        raise ConfigError("dataset.text_pair_column", f"{pair!r} is the text column itself")


def _encoding(value: object) -> str:
    """`dataset.encoding`: a codec Python knows (utf-8, latin-1, cp1252, utf-16, ...)."""
    try:
        codecs.lookup(str(value))
    except LookupError:
        raise ConfigError(
            "dataset.encoding", f"unknown encoding {value!r}", ["utf-8", "latin-1", "cp1252"]
        ) from None
    return str(value)


def data_spec(d: dict[str, Any], task: Task) -> DataSpec:
    """The dataset section, checked generically and then by its task (keys it cannot use)."""
    check_choice("dataset.format", d["format"], FORMATS)
    for k in ("train_size", "val_size", "max_length"):
        check_positive(f"dataset.{k}", d[k], kind=int)
    _data_sources(d)
    encoding = _encoding(d.get("encoding", "utf-8"))
    task.check(d)
    if d.get("selection_metric") is not None:
        check_choice("dataset.selection_metric", d["selection_metric"], task.selection_metrics)
    return DataSpec(**{**d, "task": task.name, "encoding": encoding})


def _auto_int(key: str, value: object) -> int | None:
    """`auto` (or null) -> None, else a whole number > 0."""
    if value in ("auto", None):
        return None
    return int(check_positive(key, value, kind=int))


def _cache_dir(value: object) -> str | None:
    """`auto` -> the user cache folder, `none`/null -> memory only, else the folder given."""
    if value in (None, "none"):
        return None
    if value == "auto":
        return str(default_cache_dir())
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            "train.cache_dir", f"{value!r} is not a folder", ["auto", "none", "<folder>"]
        )
    return value


def train_spec(
    t: dict[str, Any], metrics: Sequence[str], dataset_metric: str | None = None
) -> TrainSpec:
    """The train section; `metrics` are the task's selectable metrics (the first its default)."""
    for k in ("max_steps", "cache_users", "cache_max_mb", "grad_accum_steps"):
        check_positive(f"train.{k}", t[k], kind=int)
    check_positive("train.min_steps", t["min_steps"], allow_zero=True, kind=int)
    eval_from = t["eval_from_step"]
    if eval_from != "min_steps" and (
        isinstance(eval_from, bool) or not isinstance(eval_from, int) or eval_from < 0
    ):
        raise ConfigError(
            "train.eval_from_step", f"must be a whole number >= 0 or min_steps, got {eval_from!r}"
        )
    stop = t.get("stop_step")
    if stop is not None:
        check_positive("train.stop_step", stop, kind=int)
    if t["max_steps"] < t["min_steps"]:
        raise ConfigError(
            "train.max_steps",
            f"{t['max_steps']} is below train.min_steps ({t['min_steps']}): pass "
            f"train.min_steps={t['max_steps']} (or less) with it",
        )
    auto = {
        k: _auto_int(f"train.{k}", t[k])
        for k in ("epochs", "eval_every_steps", "batch_size", "eval_batch_size")
    }
    if t["max_grad_norm"] is not None:
        check_positive("train.max_grad_norm", t["max_grad_norm"])
    check_choice("train.precision", t["precision"], PRECISIONS)
    check_positive("train.drift_examples", t["drift_examples"], allow_zero=True, kind=int)
    for k in ("cache_frozen", "compile", "test_eval"):
        check_flag(f"train.{k}", t[k])
    t["cache_dir"] = _cache_dir(t["cache_dir"])
    default = dataset_metric if dataset_metric in metrics else None
    metric = (default or metrics[0]) if t["selection_metric"] == "auto" else t["selection_metric"]
    check_choice("train.selection_metric", metric, metrics)
    eval_from = None if eval_from == "min_steps" else eval_from
    return TrainSpec(**{**t, **auto, "eval_from_step": eval_from, "selection_metric": metric})


def reg_spec(r: dict[str, Any]) -> RegSpec:
    for k in ("dropout", "label_smoothing"):
        v = check_positive(f"regularization.{k}", r[k], allow_zero=True)
        if v >= 1:
            raise ConfigError(f"regularization.{k}", f"must be in [0, 1), got {v}")
    for k in ("weight_decay", "l1", "early_stopping_min_delta"):
        check_positive(f"regularization.{k}", r[k], allow_zero=True)
    if r["early_stopping_patience"] is not None:
        check_positive(
            "regularization.early_stopping_patience", r["early_stopping_patience"], kind=int
        )
    return RegSpec(
        **{  # type: ignore[arg-type]
            k: float(v) if isinstance(v, int) and k != "early_stopping_patience" else v
            for k, v in r.items()
        }
    )


def check_target_keys(
    group: str, choice: str, cfg: dict[str, Any], *, taken: Sequence[str] = ()
) -> None:
    """Every key of a `_target_` option must be an argument of its target (a key added with `+`
    would fail the trial only once it is built); `taken`: keys the wiring consumes itself."""
    from hydra.utils import get_object

    try:
        params = inspect.signature(get_object(str(cfg.get("_target_")))).parameters
    except Exception:  # noqa: BLE001 - no target, or an unimportable one (fails later, named)
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    known = [k for k in cfg if not k.startswith("_")]
    for key in known:
        if key not in params and key not in taken:
            others = [k for k in known if k != key]
            takes = "does not take it" if others else "takes no keys"
            raise ConfigError(
                f"{group}.{key}", f"{group}={choice} {takes}: remove it", others or None
            )


def strategy_options(strategy: dict[str, Any]) -> float | None:
    """Options every strategy may carry, checked before anything runs; `head_lr` goes to the
    optimizer, not to the strategy's `apply`."""
    head_lr = strategy.get("head_lr")
    if head_lr is not None:
        head_lr = float(check_positive("strategy.head_lr", head_lr))
    decay = strategy.get("decay")
    if decay is not None and (
        isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 < decay <= 1
    ):
        raise ConfigError("strategy.decay", f"must be in (0, 1], got {decay!r}")
    return head_lr


def model_spec(m: dict[str, Any]) -> ModelSpec:
    """The model group: a tiny random model names one of the families it can build."""
    family = str(m.get("family") or "bert")
    if m.get("random_init"):
        check_choice("model.family", family, TINY_FAMILIES)
    revision = m.get("revision")
    return ModelSpec(
        name=m["name"],
        name_or_path=str(m["name_or_path"]),
        random_init=m["random_init"],
        family=family,
        revision=None if revision is None else str(revision),
        trust_remote_code=check_flag("model.trust_remote_code", m.get("trust_remote_code", False)),
    )
