"""The `harness advise` command line, typed once: a study path, or a pilot on --data within
--budget; bad input is one ConfigError naming the key or file (exit 2)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ConfigError

__all__ = ["AdviseArgs", "parse_args", "parse_duration"]

STUDY_KEYS = ("train_size", "margin", "out")
PILOT_KEYS = (*STUDY_KEYS, "model", "text_column", "label_column")
FLAGS = ("--json", "--data", "--test", "--budget")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr)?\s*$")


@dataclass(frozen=True)
class AdviseArgs:
    """The command line, typed: a study path, or a pilot on --data within --budget."""

    study: Path | None = None
    train_size: int | None = None
    margin: float | None = None
    out: Path | None = None
    json: bool = False
    json_file: Path | None = None
    data: Path | None = None
    test: Path | None = None
    budget_s: float | None = None
    keys: dict[str, str] = field(default_factory=dict)  # model, text_column, label_column


def parse_duration(text: str) -> float:
    """`30m`, `1h`, `1800s`, `1800` as seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError("--budget", f"cannot read {text!r} as a duration", "30m, 1h, 1800s")
    value = float(match.group(1))
    unit = (match.group(2) or "s")[0]
    seconds = value * {"s": 1, "m": 60, "h": 3600}[unit]
    if seconds <= 0:
        raise ConfigError("--budget", f"must be > 0, got {text!r}")
    return seconds


def _positive(key: str, text: str, kind: type[int] | type[float], what: str) -> float:
    """A finite number > 0 of `kind`, or one error naming the key."""
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(key, f"must be a {what}, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise ConfigError(key, f"must be > 0, got {text}")
    return value


def _flags(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """`--flag value` / `--flag=value` pairs (`--json` takes no value unless `=`)."""
    found: dict[str, str] = {}
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        if not arg.startswith("--"):
            rest.append(arg)
            continue
        flag, eq, value = arg.partition("=")
        if flag not in FLAGS:
            raise ConfigError(flag, "unknown flag", FLAGS)
        if flag != "--json" and not eq:
            value = next(it, "")
            if not value or value.startswith("--"):
                raise ConfigError(flag, "needs a value, e.g. --data my.csv --budget 30m")
        found[flag] = value
    return found, rest


def parse_args(args: Sequence[str]) -> AdviseArgs:
    """Type the command line; every problem names its key, flag or file."""
    flags, rest = _flags(args)
    pilot = "--data" in flags
    allowed = PILOT_KEYS if pilot else STUDY_KEYS
    keys: dict[str, str] = {}
    positional = []
    for arg in rest:
        key, eq, value = arg.partition("=")
        if not eq or Path(arg).exists():
            positional.append(arg)
        elif key not in allowed:
            raise ConfigError(key, "unknown key", allowed)
        else:
            keys[key] = value
    if pilot:
        if positional:
            raise ConfigError(positional[0], "give either a study or --data, not both")
        if "--budget" not in flags:
            raise ConfigError("--budget", "is required with --data, e.g. --budget 30m")
    elif len(positional) != 1:
        raise ConfigError(
            "study",
            f"expected one report folder, sweep folder or sweep file, got {len(positional)}",
        )
    elif "train_size" not in keys:
        raise ConfigError(
            "train_size", "is required: the number of training examples, e.g. train_size=600"
        )
    for flag in ("--test", "--budget"):
        if flag in flags and not pilot:
            raise ConfigError(flag, "only with --data (a pilot study on your own data)")
    return AdviseArgs(
        study=Path(positional[0]) if positional else None,
        train_size=int(_positive("train_size", keys["train_size"], int, "whole number of examples"))
        if "train_size" in keys
        else None,
        margin=_positive("margin", keys["margin"], float, "number of points")
        if "margin" in keys
        else None,
        out=Path(keys["out"]) if keys.get("out") else None,
        json="--json" in flags and not flags["--json"],  # --json=FILE: the screen as well
        json_file=Path(flags["--json"]) if flags.get("--json") else None,
        data=Path(flags["--data"]) if pilot else None,
        test=Path(flags["--test"]) if "--test" in flags else None,
        budget_s=parse_duration(flags["--budget"]) if "--budget" in flags else None,
        keys={k: v for k, v in keys.items() if k not in STUDY_KEYS},
    )
