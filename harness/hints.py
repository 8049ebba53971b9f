"""The fix for an override naming a key the chosen option does not have: that option's keys, and
the other options of its group that take the key (`strategy=lora strategy.use_dora=true` ->
`strategy=dora`, or `strategy=peft strategy.use_dora=true`)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from omegaconf import OmegaConf

from harness.errors import ConfigError
from harness.paths import conf_dir, config_dirs, find_option

__all__ = ["group_choice", "option_keys", "takes_any_key", "unknown_key"]

HIDDEN = ("_target_", "_partial_", "defaults")


def _root() -> dict[str, Any]:
    """conf/config.yaml as plain data (interpolations left as written)."""
    found = OmegaConf.to_container(OmegaConf.load(conf_dir() / "config.yaml"))
    return found if isinstance(found, dict) else {}  # type: ignore[return-value]


def group_choice(group: str, overrides: Sequence[str]) -> str | None:
    """The option of `group` the overrides select (the last `group=...`), else the root default."""
    for item in reversed(overrides):
        key, eq, value = item.partition("=")
        if eq and key.lstrip("+~") == group:
            return value
    for entry in _root().get("defaults") or []:
        if isinstance(entry, dict) and group in entry:
            return None if entry[group] is None else str(entry[group])
    return None


def _load(group: str, option: str) -> dict[str, Any]:
    """The option's own keys (an `@package _global_` option, as model=tiny: those under `group`)."""
    try:
        path = find_option(group, option)
    except ConfigError:
        return {}
    found: Any = OmegaConf.to_container(OmegaConf.load(path))
    if "@package _global_" in path.read_text(encoding="utf-8").split("\n", 1)[0]:
        found = found.get(group) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else {}


def option_keys(group: str, option: str | None) -> list[str]:
    """The keys `group=option` has (a root section such as `train`: its keys in config.yaml)."""
    if option is None:
        section = _root().get(group)
        return [str(k) for k in section] if isinstance(section, dict) else []
    return [k for k in _load(group, option) if k not in HIDDEN]


def takes_any_key(group: str, option: str | None) -> bool:
    """The option's `_target_` accepts any keyword (PEFT's own options: added with `+`)."""
    target = _load(group, option).get("_target_") if option else None
    if not target:
        return False
    from hydra.utils import get_object

    try:
        params = inspect.signature(get_object(str(target))).parameters.values()
    except Exception:  # noqa: BLE001 - an unimportable target fails later, naming itself
        return False
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _others(group: str, option: str | None, key: str, value: str) -> list[str]:
    """Other options of the group that have `key`: `group=o` where its default is `value`, and
    `group=o group.key=value` where it is unset (a general option, e.g. `strategy=peft`); any
    three that have the key when none is either."""
    names = sorted({p.stem for d in config_dirs() for p in (d / group).glob("*.yaml")})
    found = {o: c[key] for o in names if o != option and key in (c := _load(group, o))}
    same = [f"{group}={o}" for o, v in found.items() if str(v).lower() == value.lower()]
    unset = [f"{group}={o} {group}.{key}={value}" for o, v in found.items() if v is None]
    rest = [f"{group}={o} {group}.{key}={value}" for o in found]
    return [*same, *unset] or rest[:3]


def unknown_key(name: str, overrides: Sequence[str]) -> ConfigError:
    """`group.key` is not a key of the selected option: say which keys it has and what would take it."""
    group, _, key = name.partition(".")
    option = group_choice(group, overrides)
    value = next(
        (
            o.partition("=")[2]
            for o in reversed(overrides)
            if o.partition("=")[0].lstrip("+~") == name
        ),
        "...",
    )
    where = f"{group}={option}" if option else repr(group)
    fixes = _others(group, option, key, value) if "." not in key else []
    if takes_any_key(group, option):
        fixes.append(f"+{name}={value} (adds an option {where} passes on)")
    keys = option_keys(group, option)
    problem = f"no such key in {where}" + ("" if keys or not option else " (it takes none)")
    problem += f"; use {', or '.join(fixes)}" if fixes else ""
    return ConfigError(name, problem, keys or None)
