"""Records on disk: upgraded to the current schema, validated, written atomically (only over
absent files or older records: never over a file the harness did not write), read back."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from harness.atomic import atomic_write
from harness.errors import ConfigError
from harness.record.checks import STATUSES, validate_record
from harness.record.schema import FIELDS, SCHEMA_VERSION

__all__ = [
    "RecordError",
    "check_record_target",
    "complete_record",
    "is_record",
    "read_record",
    "write_record",
]


class RecordError(ValueError):
    """A record that does not follow the schema: a bug in whatever wrote it, named key by key."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"record {path} does not follow harness/record: " + "; ".join(problems))
        self.problems = problems


def complete_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record at the current schema version: every field present (null where it does not
    apply). Version 1 records upgrade by the same fill: their keys are a subset."""
    out: dict[str, Any] = {f.name: None for f in FIELDS}
    out.update(record)
    out["schema_version"] = SCHEMA_VERSION
    return out


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: store them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def is_record(path: str | Path) -> bool:
    """A file this harness wrote as a record: a JSON object with the schema's version marker
    (version 1 records, which lack it: a status and the resolved config)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool):
        return True
    return data.get("status") in STATUSES and isinstance(data.get("config"), dict)


def check_record_target(path: str | Path) -> None:
    """A record may go where nothing is, or replace a record (a sweep re-writes its own):
    anything else at `path` is the user's, and is refused (bad input, before anything runs)."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError("record_path", f"{path} is a folder: give a file path (*.json)")
    if path.exists() and not is_record(path):
        raise ConfigError(
            "record_path",
            f"{path} exists and is not a record of this harness: not replacing it "
            "(give another path, or move that file)",
        )


def write_record(path: str | Path, record: dict[str, Any]) -> Path:
    """Validate against the schema, then write atomically (temp file in the same folder + rename):
    readers never see half a record, and no record on disk lacks a key or has a wrong type."""
    path = Path(path)
    record = _clean(complete_record(record))
    problems = validate_record(record)
    if problems:
        raise RecordError(path, problems)
    check_record_target(path)
    text = json.dumps(record, indent=2, sort_keys=True, allow_nan=False)
    return atomic_write(path, text.encode("utf-8"), fsync=True)


def read_record(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
