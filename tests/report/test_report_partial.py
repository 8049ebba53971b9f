"""Partial and unusual sweeps render honestly: missing, failed, search-only, extra axes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.report import build_report, load_records


def _table_row(report: str, label: str) -> str:
    """The first line of the report's main table that starts with `| label |`."""
    return next(line for line in report.splitlines() if line.startswith(f"| {label} |"))


def _rewrite(sweep: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Apply `edit(record) -> record` to every record of a sweep folder."""
    for path in sorted((sweep / "records").rglob("*.json")):
        path.write_text(json.dumps(edit(json.loads(path.read_text())), indent=2), encoding="utf-8")


def test_missing_failed_and_search_only_cells(sweep_copy: Path, tmp_path: Path) -> None:
    shutil.rmtree(sweep_copy / "records" / "strategy-lora__train_size-1000")
    shutil.rmtree(sweep_copy / "records" / "strategy-full__train_size-5000" / "confirm")
    text = build_report(sweep_copy, tmp_path / "out").read_text(encoding="utf-8")
    assert (
        _table_row(text, "bitfit")
        == "| bitfit | failed (2 trials) | 81.0 (search only) | missing |"
    )
    lora = _table_row(text, "lora").split(" | ")
    assert lora[2] == "missing"
    full = _table_row(text, "full").split(" | ")
    assert full[3].endswith("(search only) |")
    assert (
        "Not compared (no confirmation results): bitfit@100 failed (2 trials); bitfit@1000 search only; bitfit@5000 missing; full@5000 search only; lora@1000 missing."
        in text
    )
    # the lost cells still count in N: the decided share is not flattered by what did not run
    assert "Decided: 3 of 9 strategy-vs-full comparisons" in text
    assert "- head_only vs full at train_size=1000: **worse**" in text
    assert "| full | 2 | 2 | 0 | 2 |" not in text  # sanity: counts table is phase-based
    assert "| confirm | 40 | 0 | 0 | 40 |" in text


def test_extra_grid_axis_groups_rows(sweep_copy: Path, tmp_path: Path) -> None:
    def add_axis(rec: dict) -> dict:  # type: ignore[type-arg]
        rec["cell"]["optimizer"] = "sgd" if rec["strategy"] == "head_only" else "adamw"
        return rec

    _rewrite(sweep_copy, add_axis)
    text = build_report(sweep_copy, tmp_path / "out").read_text(encoding="utf-8")
    assert _table_row(text, "optimizer=adamw, full").count("±") == 3
    assert "optimizer=sgd, head_only" in text
    assert (
        _table_row(text, "optimizer=adamw, head_only")
        == "| optimizer=adamw, head_only | missing | missing | missing |"
    )
    assert (
        "- [optimizer=adamw] When full fine-tuning pays: full fine-tuning is better than every "
        "partial strategy at train_size 5000; a partial strategy is better or equivalent (±1) at "
        "100: lora (better); 1000: lora (equivalent)." in text
    )
    assert "- [optimizer=sgd] No finished `full` cells" in text


def test_without_optional_ensemble_key(sweep_copy: Path, tmp_path: Path) -> None:
    def drop(rec: dict) -> dict:  # type: ignore[type-arg]
        rec.pop("ensemble_test_accuracy", None)
        return rec

    _rewrite(sweep_copy, drop)
    text = build_report(sweep_copy, tmp_path / "out").read_text(encoding="utf-8")
    assert "(ens " not in _table_row(text, "lora").split(" | ")[2]  # 1000: no probabilities stored
    assert _table_row(text, "lora").startswith("| lora | **75.0 ± 1.4** ▲ (ens ")


def test_unreadable_records_are_skipped_with_warning(sweep_copy: Path) -> None:
    bad = (
        sweep_copy / "records" / "strategy-full__train_size-100" / "confirm" / "seed-1-data-0.json"
    )
    bad.write_text("{ not json", encoding="utf-8")
    (bad.parent / "seed-9.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.warns(
        UserWarning, match=r"skipped 2 unreadable record\(s\):.*seed-1-data-0\.json.*seed-9\.json"
    ):
        frame = load_records(sweep_copy)
    assert len(frame) == 73
    full_100 = frame[
        (frame["cell_id"] == "strategy=full,train_size=100") & (frame["phase"] == "confirm")
    ]
    assert sorted(full_100["seed"].tolist()) == [0, 0, 1, 2, 2]
