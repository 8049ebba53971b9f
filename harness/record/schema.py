"""The trial record's one definition: a typed dataclass whose fields say what a trial produced.

Dataclasses, not pydantic: the record is plain JSON written by every worker process; the
standard library is enough to declare types and metadata, and validation here must not coerce
(a `train_size` of "100" is a bug to report, not a value to fix).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.record.fields import FieldInfo, field_infos
from harness.record.results import METRIC_NAMES, Results
from harness.record.run import RunFacts

__all__ = ["FIELDS", "METRIC_NAMES", "SCHEMA_VERSION", "TrialRecord", "field_map"]

SCHEMA_VERSION = 2


@dataclass(kw_only=True)
class TrialRecord(Results, RunFacts):
    """One trial: what ran (`RunFacts`) and what it measured (`Results`)."""


FIELDS: tuple[FieldInfo, ...] = field_infos(TrialRecord)


def field_map() -> dict[str, FieldInfo]:
    return {f.name: f for f in FIELDS}
