"""The result record: one typed schema (`schema.py`), validated on write, one JSON file per trial.

See docs/record.md (generated from the schema)."""

from harness.record.checks import STATUSES, validate_record
from harness.record.fields import FieldInfo
from harness.record.io import (
    RecordError,
    check_record_target,
    complete_record,
    is_record,
    read_record,
    write_record,
)
from harness.record.schema import FIELDS, METRIC_NAMES, SCHEMA_VERSION, TrialRecord, field_map

__all__ = [
    "FIELDS",
    "METRIC_NAMES",
    "SCHEMA_VERSION",
    "STATUSES",
    "FieldInfo",
    "RecordError",
    "TrialRecord",
    "check_record_target",
    "complete_record",
    "field_map",
    "is_record",
    "read_record",
    "validate_record",
    "write_record",
]
