"""The user's labelled file, split once for the pilot: a held-out test split (unless they gave
one) and the training pool the local dataset carves its validation rows from.

The split is seeded and written into the pilot's folder, so a resumed pilot trains and tests on
exactly the rows it started with.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from harness.data.checks import check_values

# the harness's own reader, so the pilot reads the file exactly as its trials will
from harness.data.sources import _infer_format, _read_rows
from harness.errors import ConfigError

__all__ = ["PilotData", "prepare_data"]

TEST_SHARE = 0.2  # of the file, when no --test is given
MIN_TRAIN = 32  # training examples below which there is nothing to compare


@dataclass(frozen=True)
class PilotData:
    """Where the pilot's splits are and what they hold."""

    train_path: Path
    test_path: Path
    pool: int  # rows in the training file
    val_size: int  # validation rows carved from it (fixed across sizes)
    test_rows: int
    labels: int
    majority_share: float  # of the commonest label in the training file
    text_column: str
    label_column: str

    @property
    def max_train(self) -> int:
        """The most training examples a cell can have: the pool less its validation rows."""
        return self.pool - self.val_size

    @property
    def metric(self) -> str:
        """Macro-F1 when accuracy would flatter (more than two labels, or a dominant one)."""
        return "val_macro_f1" if self.labels > 2 or self.majority_share >= 0.6 else "val_accuracy"

    def overrides(self) -> list[str]:
        return [
            "dataset=local",
            f"dataset.train_path={self.train_path}",
            f"dataset.test_path={self.test_path}",
            f"dataset.text_column={self.text_column}",
            f"dataset.label_column={self.label_column}",
            f"dataset.val_size={self.val_size}",
        ]


def _read(path: Path, flag: str, text: str, label: str) -> tuple[list[dict[str, object]], str]:
    if not path.is_file():
        raise ConfigError(flag, f"file not found: {path}")
    fmt = _infer_format(str(path))
    rows = _read_rows(str(path), fmt, flag)
    if not rows:
        raise ConfigError(flag, f"{path} has no rows")
    for key, column in (("text_column", text), ("label_column", label)):
        if column not in rows[0]:
            raise ConfigError(key, f"column {column!r} not found in {path}", list(rows[0]))
        check_values([r.get(column) for r in rows], column, flag, str(path))
    return rows, fmt


def _write(path: Path, rows: list[dict[str, object]], fmt: str) -> None:
    """Rows in the format they came in (written once: a resumed pilot keeps its split)."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        if fmt == "jsonl":
            f.writelines(json.dumps(r) + "\n" for r in rows)
        else:
            tsv = fmt == "tsv"
            writer = csv.DictWriter(
                f,
                fieldnames=list(rows[0]),
                delimiter="\t" if tsv else ",",
                quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL,
                escapechar="\\" if tsv else None,
            )
            writer.writeheader()
            writer.writerows(rows)
    tmp.replace(path)


def prepare_data(
    data: Path, test: Path | None, out_dir: Path, text_column: str, label_column: str
) -> PilotData:
    """Read --data (and --test), hold out a seeded test split when there is none, write the
    splits under out_dir/data, and say how many rows each holds."""
    rows, fmt = _read(data, "--data", text_column, label_column)
    if test is not None:
        test_rows, _ = _read(test, "--test", text_column, label_column)
        train_path, test_path, pool = data.resolve(), test.resolve(), rows
    else:
        order = list(range(len(rows)))
        random.Random(0).shuffle(order)
        n_test = min(2000, max(50, round(TEST_SHARE * len(rows))), len(rows) // 3)
        test_rows = [rows[i] for i in order[:n_test]]
        pool = [rows[i] for i in sorted(order[n_test:])]
        train_path = (out_dir / "data" / f"train.{fmt}").resolve()
        test_path = (out_dir / "data" / f"test.{fmt}").resolve()
        _write(train_path, pool, fmt)
        _write(test_path, test_rows, fmt)
    val_size = min(300, max(32, len(pool) // 7))
    if len(pool) - val_size < MIN_TRAIN:
        raise ConfigError(
            "--data", f"{data} has {len(rows)} rows: too few for a pilot (about 150 or more)"
        )
    counts = Counter(str(r[label_column]) for r in pool)
    return PilotData(
        train_path,
        test_path,
        len(pool),
        val_size,
        len(test_rows),
        len(counts),
        max(counts.values()) / len(pool),
        text_column,
        label_column,
    )
