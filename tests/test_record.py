"""The result record: validation of its keys and types, atomic writes, JSON without NaN."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from harness.record import REQUIRED, SCHEMA_VERSION, read_record, validate_record, write_record


def _valid() -> dict[str, Any]:
    """A minimal completed record, built from the schema so it follows REQUIRED."""
    sample: dict[type, Any] = {int: 1, float: 0.5, str: "x", bool: False, dict: {}, list: []}
    rec = {key: sample[types[0]] for key, types in REQUIRED.items()}
    rec.update(schema_version=SCHEMA_VERSION, status="completed", error=None)
    return rec


def test_a_complete_record_is_valid() -> None:
    assert validate_record(_valid()) == []


def test_missing_keys_and_wrong_types_are_named() -> None:
    rec = _valid()
    del rec["test_accuracy"]
    rec["train_size"] = "100"
    rec["lr"] = True  # a bool is not a float here
    problems = validate_record(rec)
    assert "missing key 'test_accuracy'" in problems
    assert "'train_size' has type str, expected int" in problems
    assert "'lr' has type bool, expected float" in problems


def test_status_rules() -> None:
    assert validate_record({**_valid(), "status": "done"})[-1].startswith("status 'done' not in")
    assert validate_record({**_valid(), "status": "failed"}) == [
        "a failed record must carry its error"
    ]
    assert validate_record({**_valid(), "status": "failed", "error": "OOM"}) == []
    assert validate_record({**_valid(), "val_accuracy": None}) == [
        "completed record has val_accuracy=null"
    ]
    assert validate_record({**_valid(), "status": "pruned", "val_accuracy": None}) == []


def test_completed_records_need_their_selection_metric_not_accuracy() -> None:
    """QA selects on f1 and has no accuracy: val_/test_<selection_metric> must be set instead."""
    qa = {**_valid(), "selection_metric": "f1", "val_accuracy": None, "test_accuracy": None}
    assert validate_record({**qa, "val_f1": 0.4, "test_f1": 0.3}) == []
    assert validate_record({**qa, "val_f1": 0.4}) == ["completed record has test_f1=null"]
    search = {**qa, "config": {"train": {"test_eval": False}}, "val_f1": None}
    assert validate_record(search) == ["completed record has val_f1=null"]  # test not needed


def test_write_is_atomic_and_json_has_no_nan(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "r.json"
    rec = {**_valid(), "val_loss": math.nan, "history": [{"train_loss": math.inf}], "t": (1, 2)}
    assert write_record(path, rec) == path
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temp file left behind
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    back = read_record(path)
    assert back["val_loss"] is None and back["history"] == [{"train_loss": None}]
    assert back["t"] == [1, 2] and json.loads(text) == back


def test_a_failed_write_keeps_the_old_record(tmp_path: Path) -> None:
    path = write_record(tmp_path / "r.json", _valid())
    with pytest.raises(TypeError):
        write_record(path, {**_valid(), "bad": object()})
    assert read_record(path) == _valid()
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
