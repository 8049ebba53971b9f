"""Checks on the values of a sweep file: each returns the value or raises one ConfigError
naming the file and the key."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.report.errors import ReportError
from harness.report.options import ReportOptions, report_options
from harness.sweep.schema import ParamRange

__all__ = [
    "boolean",
    "check_keys",
    "choice",
    "err",
    "mapping",
    "named",
    "param_range",
    "plain_name",
    "report_opts",
    "seed_list",
    "text",
    "whole",
]


def err(path: Path, key: str, problem: str, allowed: Any = None) -> ConfigError:
    return ConfigError(f"{path}: {key}", problem, allowed)


def param_range(path: Path, key: str, name: str, value: Any) -> ParamRange:
    if (
        not isinstance(value, dict)
        or not {"low", "high"} <= set(value)
        or set(value) - {"low", "high", "log"}
    ):
        raise err(
            path,
            key,
            "a range needs `low` and `high` (and optionally `log`)",
            ["low", "high", "log"],
        )
    try:  # YAML reads 1e-5 (no dot) as a string: numbers are converted here
        low, high = float(value["low"]), float(value["high"])
    except (TypeError, ValueError):
        raise err(
            path, key, f"low and high must be numbers, got {value['low']!r}..{value['high']!r}"
        ) from None
    log = boolean(path, f"{key}.log", value.get("log", False))
    if not low < high or (log and low <= 0) or not (math.isfinite(low) and math.isfinite(high)):
        raise err(
            path,
            key,
            f"needs 0 < low < high for log ranges and low < high otherwise, got {low}..{high}",
        )
    return ParamRange(name, low, high, log)


def check_keys(path: Path, where: str, got: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in got:
        if key not in allowed:
            raise err(path, f"{where}{key}", "unknown key", allowed)


def mapping(
    path: Path, key: str, value: Any, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A section of options (absent = empty); where `names` are given, a bare name picks one."""
    if value is None:
        return {}
    if names is not None and isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        kind = "a name or a mapping of options" if names else "a mapping of keys"
        raise err(path, key, f"must be {kind}, got {value!r}", names)
    return value


def boolean(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise err(path, key, f"must be true or false, got {value!r}")
    return value


def named(path: Path, key: str, options: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """`<key>.name` is one of `allowed` (a launcher, tracker, sampler or pruner)."""
    if options["name"] not in allowed:
        kind = key.split(".")[-1]
        raise err(path, f"{key}.name", f"unknown {kind} {options['name']!r}", allowed)


def whole(path: Path, key: str, value: Any, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise err(path, key, f"must be a whole number >= {low}, got {value!r}")
    return value


def choice(
    path: Path,
    key: str,
    options: dict[str, Any],
    allowed: tuple[str, ...],
    build: Callable[[dict[str, Any]], object],
) -> None:
    """A sampler or pruner: a known name, and options its Optuna class accepts."""
    named(path, key, options, allowed)
    share = options.get("warmup_share")
    if share is not None and (
        isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share < 1
    ):
        raise err(path, f"{key}.warmup_share", f"must be in [0, 1), got {share!r}")
    for option, value in options.items():  # counts Optuna only compares once the sweep runs
        if option.startswith("n_"):
            whole(path, f"{key}.{option}", value, 0)
    try:
        build(options)
    except (TypeError, ValueError) as exc:
        raise err(path, key, f"{options['name']}: {exc}") from None


def seed_list(path: Path, value: Any, key: str = "confirm.seeds") -> list[int]:
    """`seeds: 3` (0, 1, 2), `{min: 3, max: 12}` (0, 1, 2 first) or a list of distinct seeds."""
    if isinstance(value, dict) and key == "confirm.seeds":
        return list(range(report_opts(path, {"confirm": {"seeds": value}}).seeds_min))
    if isinstance(value, int) and not isinstance(value, bool):
        return list(range(whole(path, key, value, 1)))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
        or len(set(value)) != len(value)
    ):
        raise err(
            path, key, f"must be a count >= 1 or a list of distinct seeds >= 0, got {value!r}"
        )
    return list(value)


def report_opts(path: Path, raw: dict[str, Any]) -> ReportOptions:
    """The `report:` section and sequential `confirm.seeds`, checked by the report's own rules."""
    try:
        return report_options(raw)
    except ReportError as exc:
        key, _, problem = str(exc).partition(": ")
        raise err(path, key, problem) from None


def text(path: Path, key: str, value: Any) -> str | None:
    """A name, path or URL: text (a bare number is read as text), or absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise err(path, key, f"must be text, got {value!r}")


def plain_name(path: Path, name: str) -> str:
    """The sweep's name: it names folders under `out=` and `reports/`, so it may not be a path."""
    if not name.strip() or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise err(
            path,
            "name",
            f"{name!r} is not a plain name (no '/', '\\', '..'): "
            "the output folder is set with out=",
        )
    return name
