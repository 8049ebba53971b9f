"""The result record: one JSON file per trial, written atomically. See docs/record.md."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["REQUIRED", "SCHEMA_VERSION", "read_record", "validate_record", "write_record"]

SCHEMA_VERSION = 1
STATUSES = ("completed", "pruned", "failed")

# key -> accepted types (None allowed where a failed or pruned trial has no value)
REQUIRED: dict[str, tuple[type, ...]] = {
    "schema_version": (int,),
    "status": (str,),
    "error": (str, type(None)),
    "config": (dict,),
    "model": (str,),
    "model_name_or_path": (str,),
    "dataset": (str,),
    "task": (str,),
    "strategy": (str,),
    "optimizer": (str,),
    "scheduler": (str,),
    "train_size": (int,),
    "seed": (int,),
    "lr": (float,),
    "weight_decay": (float,),
    "dropout": (float,),
    "history": (list,),
    "val_accuracy": (float, type(None)),
    "val_macro_f1": (float, type(None)),
    "test_accuracy": (float, type(None)),
    "test_macro_f1": (float, type(None)),
    "train_accuracy": (float, type(None)),
    "trainable_params": (int, type(None)),
    "total_params": (int, type(None)),
    "train_time_s": (float, type(None)),
    "train_samples_per_s": (float, type(None)),
    "peak_memory_mb": (float, type(None)),
    "checkpoint_mb": (float, type(None)),
    "device": (str,),
    "git_sha": (str, type(None)),
    "git_dirty": (bool, type(None)),
    "versions": (dict,),
    "wall_time_s": (float,),
}
# besides val_<selection_metric> (and test_<selection_metric> when the test split was scored):
# accuracy is no metric of every task (extractive QA scores exact_match / f1)
COMPLETED_NOT_NULL = ("trainable_params", "train_time_s")


def validate_record(record: dict[str, Any]) -> list[str]:
    """Problems with a record (empty list = valid)."""
    problems = []
    for key, types in REQUIRED.items():
        if key not in record:
            problems.append(f"missing key {key!r}")
        elif not isinstance(record[key], types) or (
            float in types and isinstance(record[key], bool)
        ):
            problems.append(
                f"{key!r} has type {type(record[key]).__name__}, expected {'/'.join(t.__name__ for t in types)}"
            )
    if record.get("status") not in STATUSES:
        problems.append(f"status {record.get('status')!r} not in {STATUSES}")
    if record.get("status") == "failed" and not record.get("error"):
        problems.append("a failed record must carry its error")
    if record.get("status") == "completed":
        tested = record.get("config", {}).get("train", {}).get("test_eval", True)
        metric = record.get("selection_metric") or "accuracy"  # older records: accuracy
        wanted = (*COMPLETED_NOT_NULL, f"val_{metric}", *([f"test_{metric}"] if tested else []))
        problems += [f"completed record has {k}=null" for k in wanted if record.get(k) is None]
    return problems


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
    """Write atomically (temp file in the same folder + rename): readers never see half a record."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_clean(record), f, indent=2, sort_keys=True, allow_nan=False)
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
