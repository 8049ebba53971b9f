"""Is a record what the schema says? Problems as sentences that name the key."""

from __future__ import annotations

from typing import Any

from harness.record.schema import FIELDS, field_map

__all__ = ["STATUSES", "validate_record"]

STATUSES = ("completed", "pruned", "failed")
# version 1 records: the facts every record carried then (the rest may be absent)
_V1 = tuple(f.name for f in FIELDS if f.since == 1)
# version 1 rule for a completed classification record
_V1_COMPLETED = ("val_accuracy", "test_accuracy", "test_macro_f1", "train_accuracy")


def _type_problem(key: str, value: Any, types: tuple[type, ...]) -> str | None:
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok and float in types and isinstance(value, int) and not isinstance(value, bool):
        ok = True  # JSON writes 1.0 as 1 in some tools: an integer is a valid float
    if ok:
        return None
    expected = "/".join("null" if t is type(None) else t.__name__ for t in types)
    return f"{key!r} has type {type(value).__name__}, expected {expected}"


def _completed(record: dict[str, Any], version: int) -> list[str]:
    """A completed trial carries its selection metric (and its test score when it was tested)."""
    tested = (record.get("config") or {}).get("train", {}).get("test_eval", True)
    if version < 2:
        need = [*_V1_COMPLETED, "trainable_params", "train_time_s"]
    else:
        metric = record.get("selection_metric") or "accuracy"
        need = [f"val_{metric}", "trainable_params", "train_time_s"]
        need += [f"test_{metric}"] if tested else []
    return [
        f"completed record has {k}=null"
        for k in need
        if record.get(k) is None and (tested or not k.startswith("test_"))
    ]


def validate_record(record: dict[str, Any]) -> list[str]:
    """Problems with a record (empty list = valid). Version 2 records carry every field of the
    schema and nothing else; version 1 records the facts that version required."""
    version = record.get("schema_version")
    version = version if isinstance(version, int) and not isinstance(version, bool) else 2
    fields = field_map()
    problems = []
    expected = [f.name for f in FIELDS] if version >= 2 else list(_V1)
    problems += [f"missing key {k!r}" for k in expected if k not in record]
    if version >= 2:
        problems += [
            f"unknown key {k!r} (not in harness/record)" for k in record if k not in fields
        ]
    for key, value in record.items():
        if key in fields and key in record:
            found = _type_problem(key, value, fields[key].types)
            if found:
                problems.append(found)
    if record.get("status") not in STATUSES:
        problems.append(f"status {record.get('status')!r} not in {STATUSES}")
    if record.get("status") == "failed" and not record.get("error"):
        problems.append("a failed record must carry its error")
    if record.get("status") == "completed":
        problems += _completed(record, version)
    return problems
