"""How a record field is declared: its type (the annotation), what it means, and where it goes.

Every consumer of the record reads these declarations instead of keeping its own key list:
validation on write (`checks.py`), MLflow's params / metrics / tags (`harness.tracking`), the
report's column types (`harness.report.load`) and docs/record.md (`docs.py`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["FieldInfo", "Sink", "fact", "field_infos"]

# where MLflow receives a field: a run param, a metric (numbers), or nowhere (the record and
# its artifacts carry it: lists, dicts, long text)
Sink = Literal["param", "metric", "none"]


def fact(
    doc: str,
    *,
    sink: Sink = "none",
    tag: bool = False,
    required: bool = False,
    since: int = 1,
    section: str = "",
) -> Any:
    """A record field: `doc` is its line in docs/record.md; `required` fields must be present in
    every record (others default to null); `since` is the schema version that added it."""
    meta = {"doc": doc, "sink": sink, "tag": tag, "since": since, "section": section}
    if required:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=None, metadata=meta)


@dataclass(frozen=True)
class FieldInfo:
    name: str
    types: tuple[type, ...]  # accepted JSON value types (NoneType where null is allowed)
    doc: str
    sink: Sink
    tag: bool
    required: bool
    since: int
    section: str

    @property
    def nullable(self) -> bool:
        return type(None) in self.types

    @property
    def kind(self) -> type:
        """The value type without null: int, float, str, bool, list or dict."""
        return next(t for t in self.types if t is not type(None))

    def type_text(self) -> str:
        names = [t.__name__ for t in self.types if t is not type(None)]
        return " \\| ".join(names) + (" \\| null" if self.nullable else "")


def _accepted(annotation: Any) -> tuple[type, ...]:
    """`int | None` -> (int, NoneType); `list[Any]` -> (list,); `dict[str, Any]` -> (dict,)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(t for a in typing.get_args(annotation) for t in _accepted(a))
    origin = typing.get_origin(annotation)
    return (origin if origin is not None else annotation,)


def field_infos(cls: type) -> tuple[FieldInfo, ...]:
    """The declared fields of a record dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        m = f.metadata
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        out.append(
            FieldInfo(
                f.name,
                _accepted(hints[f.name]),
                m["doc"],
                m["sink"],
                m["tag"],
                required,
                m["since"],
                m["section"],
            )
        )
    return tuple(out)
