"""Refuse rows a trial must not train on, before anything is tokenized.

Empty texts (a trial would learn from empty strings), missing label values, and label columns
that are numbers in one split and names in another (the label map would silently split one
class in two) each raise one `ConfigError` naming the split's key and the file or split.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import ConfigError

__all__ = ["check_label_kinds", "check_values"]


def check_values(values: Sequence[object], column: str, key: str, where: str) -> list[str]:
    """The column's values as strings; a missing or blank value is refused with its row number
    (1 = the first data row) and the count of such rows."""
    bad = [i for i, v in enumerate(values, 1) if v is None or not str(v).strip()]
    if bad:
        more = f" ({len(bad)} such rows)" if len(bad) > 1 else ""
        raise ConfigError(key, f"{where}: row {bad[0]}: column {column!r} is empty{more}")
    return [str(v) for v in values]


def _is_number(label: str) -> bool:
    try:
        float(label)
    except ValueError:
        return False
    return True


def check_label_kinds(splits: Sequence[tuple[str, list[str]]]) -> None:
    """Every split's labels are all numbers or all names, the same kind in every split.

    `splits` pairs a split's description (key or file) with its labels; the first is training.
    """
    first = splits[0]
    kind = all(_is_number(x) for x in first[1])
    for other in splits[1:]:
        if all(_is_number(x) for x in other[1]) != kind:
            (num, num_labels), (txt, txt_labels) = (first, other) if kind else (other, first)
            raise ConfigError(
                "dataset.label_column",
                f"labels are numbers in {num} ({_some(num_labels)}) but text in {txt} "
                f"({_some(txt_labels)}): every split must use the same label names",
            )


def _some(labels: list[str]) -> str:
    return ", ".join(sorted(set(labels))[:3])
