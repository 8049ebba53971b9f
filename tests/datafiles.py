"""Tiny text-classification files for the tests (not a test module; imported by conftest and
bad_inputs): distinct rows whose words give their label away, as tsv, csv or jsonl."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "local_with",
    "pair_rows",
    "text_rows",
    "write_hub_folder",
    "write_local",
    "write_pairs",
    "write_rows",
]

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
    n_dev: int = 0,
) -> list[str]:
    """train/test (and, with n_dev, dev) files in `folder`; returns the overrides of a
    `dataset=local` trial on them."""
    folder.mkdir(parents=True, exist_ok=True)
    train = write_rows(folder / f"train.{fmt}", text_rows(n_train), fmt)
    test = write_rows(folder / f"test.{fmt}", text_rows(n_test, test_labels), fmt)
    out = ["dataset=local", f"dataset.train_path={train}", f"dataset.test_path={test}"]
    if n_dev:
        rows = [(f"dev {t}", y) for t, y in text_rows(n_dev)]
        out.append(f"dataset.val_path={write_rows(folder / f'dev.{fmt}', rows, fmt)}")
    return out


def local_with(tmp: Path, key: str, name: str, text: str) -> list[str]:
    """A `dataset=local` csv trial whose `dataset.<key>` file holds `text` (bad input)."""
    path = tmp / name
    overrides = write_local(tmp / "data", "csv")
    path.write_text(text, encoding="utf-8")
    return [*overrides, f"dataset.{key}={path}"]


def pair_rows(n: int, offset: int = 0) -> list[dict[str, str]]:
    """n distinct sentence pairs: the hypothesis repeats the premise's words (entailment) or
    says something else (contradiction), alternating."""
    rows = []
    for i in range(offset, offset + n):
        premise = f"{POSITIVE[i % 5]} number {i}"
        entails = i % 2 == 0
        hypothesis = f"{POSITIVE[i % 5]}" if entails else f"{NEGATIVE[i % 5]} again"
        label = "entailment" if entails else "contradiction"
        rows.append({"premise": premise, "hypothesis": hypothesis, "label": label})
    return rows


def write_pairs(folder: Path, n_train: int = 120, n_test: int = 24) -> list[str]:
    """A sentence-pair dataset as csv (premise, hypothesis, label): `dataset=local` overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in (("train", pair_rows(n_train)), ("test", pair_rows(n_test, 10_000))):
        lines = ["premise,hypothesis,label"]
        lines += [f"{r['premise']},{r['hypothesis']},{r['label']}" for r in rows]
        paths.append(folder / f"{name}.csv")
        paths[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [
        "dataset=local",
        f"dataset.train_path={paths[0]}",
        f"dataset.test_path={paths[1]}",
        "dataset.text_column=premise",
        "dataset.text_pair_column=hypothesis",
    ]


def write_hub_folder(folder: Path, splits: dict[str, Sequence[dict[str, object]]]) -> Path:
    """A local folder `datasets.load_dataset` reads like a hub repo: split names from file names."""
    folder.mkdir(parents=True)
    for split, items in splits.items():
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in items))
    return folder
