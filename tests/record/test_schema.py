"""The schema is the one definition: docs/record.md, MLflow keys and report columns derive from it."""

from __future__ import annotations

from pathlib import Path

from harness.record import FIELDS, METRIC_NAMES, field_map
from harness.record.docs import render_record_doc

DOC = Path(__file__).resolve().parents[2] / "docs" / "record.md"


def test_docs_record_md_is_generated_from_the_schema() -> None:
    assert DOC.read_text(encoding="utf-8") == render_record_doc(), (
        "docs/record.md is stale: run `python -m harness.record.docs > docs/record.md`"
    )


def test_every_field_is_documented_typed_and_sunk_sensibly() -> None:
    for f in FIELDS:
        assert f.doc and f.section, f.name
        if f.sink == "metric":  # MLflow metrics are numbers
            assert f.kind in (int, float), f.name
        if f.sink == "param" or f.tag:
            assert f.kind in (int, float, str, bool, list), f.name


def test_every_split_carries_every_task_metric() -> None:
    fields = field_map()
    for split in ("val", "test", "train"):
        for name in METRIC_NAMES:
            f = fields[f"{split}_{name}"]
            assert f.kind is float and f.nullable and f.sink == "metric"
