"""The result record on disk: validated on write, atomic, JSON without NaN, old records readable."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from harness.record import (
    FIELDS,
    SCHEMA_VERSION,
    RecordError,
    complete_record,
    read_record,
    validate_record,
    write_record,
)

SAMPLE: dict[type, Any] = {int: 1, float: 0.5, str: "x", bool: False, dict: {}, list: []}


def _valid() -> dict[str, Any]:
    """A completed record built from the schema: every field, a value of its declared type."""
    rec = {f.name: SAMPLE[f.kind] for f in FIELDS}
    rec.update(schema_version=SCHEMA_VERSION, status="completed", error=None)
    rec.update(selection_metric="accuracy", config={})
    return rec


def test_a_complete_record_is_valid() -> None:
    assert validate_record(_valid()) == []


def test_missing_unknown_keys_and_wrong_types_are_named() -> None:
    rec = _valid()
    del rec["test_accuracy"]
    rec.update(train_size="100", lr=True, typo_key=1)  # a bool is not a float here
    problems = validate_record(rec)
    assert "missing key 'test_accuracy'" in problems
    assert "'train_size' has type str, expected int" in problems
    assert "'lr' has type bool, expected float" in problems
    assert "unknown key 'typo_key' (not in harness/record)" in problems


def test_status_rules_follow_the_selection_metric() -> None:
    assert validate_record({**_valid(), "status": "done"})[-1].startswith("status 'done' not in")
    assert validate_record({**_valid(), "status": "failed"}) == [
        "a failed record must carry its error"
    ]
    assert validate_record({**_valid(), "status": "failed", "error": "OOM"}) == []
    assert validate_record({**_valid(), "val_accuracy": None}) == [
        "completed record has val_accuracy=null"
    ]
    assert validate_record({**_valid(), "status": "pruned", "val_accuracy": None}) == []
    qa = {**_valid(), "selection_metric": "f1", "val_accuracy": None, "test_accuracy": None}
    assert validate_record(qa) == []  # a QA record has no accuracy: its metric is f1
    assert validate_record({**qa, "test_f1": None}) == ["completed record has test_f1=null"]
    untested = {**qa, "test_f1": None, "config": {"train": {"test_eval": False}}}
    assert validate_record(untested) == []  # search trials never look at test


def test_version_1_records_still_validate_and_upgrade() -> None:
    """A record written before the typed schema (one from reports/default's era)."""
    v1 = {f.name: SAMPLE[f.kind] for f in FIELDS if f.since == 1}
    v1.update(schema_version=1, status="completed", error=None, config={}, steps=3)
    assert validate_record(v1) == []
    assert "missing key 'test_accuracy'" in validate_record(
        {k: v for k, v in v1.items() if k != "test_accuracy"}
    )
    up = complete_record(v1)
    assert up["schema_version"] == SCHEMA_VERSION and up["steps"] == 3
    assert up["flags"] is None and validate_record(up) == []


def test_write_is_atomic_and_json_has_no_nan(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "r.json"
    rec = {**_valid(), "val_loss": math.nan, "history": [{"train_loss": math.inf}]}
    rec["label_names"] = ("neg", "pos")
    assert write_record(path, rec) == path
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temp file left behind
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    back = read_record(path)
    assert back["val_loss"] is None and back["history"] == [{"train_loss": None}]
    assert back["label_names"] == ["neg", "pos"] and json.loads(text) == back


def test_an_invalid_record_is_refused_and_the_old_one_kept(tmp_path: Path) -> None:
    path = write_record(tmp_path / "r.json", _valid())
    with pytest.raises(RecordError, match=r"'train_size' has type str") as err:
        write_record(path, {**_valid(), "train_size": "100"})
    assert str(path) in str(err.value)
    with pytest.raises(TypeError):
        write_record(path, {**_valid(), "config": {"bad": object()}})
    assert read_record(path) == _valid()
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
