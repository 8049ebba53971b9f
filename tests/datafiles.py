"""Tiny text-classification files for the tests (not a test module; imported by conftest and
bad_inputs): distinct rows whose words give their label away, as tsv, csv or jsonl."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

__all__ = ["text_rows", "write_local", "write_rows"]

POSITIVE = ["a great film", "wonderful acting", "i loved it", "truly moving", "superb cast"]
NEGATIVE = ["a dull mess", "boring plot", "i hated it", "painfully slow", "awful script"]


def text_rows(n: int, labels: Sequence[str] = ("pos", "neg")) -> list[tuple[str, str]]:
    """n distinct (text, label) rows, labels cycling through `labels`."""
    rows = []
    for i in range(n):
        words = POSITIVE if i % len(labels) == 0 else NEGATIVE
        rows.append((f"{words[i % len(words)]} number {i}", labels[i % len(labels)]))
    return rows


def write_rows(path: Path, rows: Sequence[tuple[str, str]], fmt: str) -> Path:
    """Rows as tsv / csv / jsonl with the columns `text` and `label`."""
    if fmt == "jsonl":
        lines = [json.dumps({"text": t, "label": y}) for t, y in rows]
    else:
        sep = "\t" if fmt == "tsv" else ","
        lines = [f"text{sep}label", *(f"{t}{sep}{y}" for t, y in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_local(
    folder: Path,
    fmt: str = "tsv",
    n_train: int = 120,
    n_test: int = 24,
    test_labels: Sequence[str] = ("pos", "neg"),
) -> list[str]:
    """train/test files in `folder`; returns the overrides of a `dataset=local` trial on them."""
    folder.mkdir(parents=True, exist_ok=True)
    train = write_rows(folder / f"train.{fmt}", text_rows(n_train), fmt)
    test = write_rows(folder / f"test.{fmt}", text_rows(n_test, test_labels), fmt)
    return ["dataset=local", f"dataset.train_path={train}", f"dataset.test_path={test}"]
