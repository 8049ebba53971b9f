"""Records on disk: upgraded to the current schema, validated, written atomically, read back."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from harness.record.checks import validate_record
from harness.record.schema import FIELDS, SCHEMA_VERSION

__all__ = ["RecordError", "complete_record", "read_record", "write_record"]


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


def write_record(path: str | Path, record: dict[str, Any]) -> Path:
    """Validate against the schema, then write atomically (temp file in the same folder + rename):
    readers never see half a record, and no record on disk lacks a key or has a wrong type."""
    path = Path(path)
    record = _clean(complete_record(record))
    problems = validate_record(record)
    if problems:
        raise RecordError(path, problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2, sort_keys=True, allow_nan=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_record(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return json.load(f)
