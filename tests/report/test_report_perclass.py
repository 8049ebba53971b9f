"""Per-class view: F1 per class and confusion counts on a hand-checkable example, which records
count as multi-class, and the section the suite fixture's 6-class task gets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.report.perclass import confusion, example_predictions, per_class_f1
from harness.report.perclass_section import figure_name

# 6 examples, 3 classes: true 0 0 1 1 2 2, predicted 0 1 1 1 2 0
LABELS = np.array([0, 0, 1, 1, 2, 2])
PREDICTED = np.array([0, 1, 1, 1, 2, 0])


def test_per_class_f1_by_hand() -> None:
    # class 0: tp 1, fp 1, fn 1 -> 2/4; class 1: tp 2, fp 1, fn 0 -> 4/5; class 2: tp 1, fn 1 -> 2/3
    f1 = per_class_f1(PREDICTED, LABELS, 3)
    assert f1.tolist() == pytest.approx([0.5, 0.8, 2 / 3])
    assert f1.mean() == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)  # macro-F1
    # a class neither present nor predicted scores 0, as harness.metrics.macro_f1 counts it
    assert per_class_f1(PREDICTED, LABELS, 4).tolist() == pytest.approx([0.5, 0.8, 2 / 3, 0.0])


def test_confusion_rows_are_true_classes() -> None:
    assert confusion(PREDICTED, LABELS, 3).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]


def _row(
    path: str, probs: object, labels: object, names: object, phase: str = "confirm"
) -> dict[str, object]:
    return {
        "record_path": path,
        "phase": phase,
        "status": "completed",
        "test_probs": json.dumps(probs),
        "test_labels": json.dumps(labels),
        "label_names": json.dumps(names),
    }


def test_only_multi_class_confirmation_runs_count() -> None:
    three = [[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]]
    records = pd.DataFrame(
        [
            _row("a.json", three, [0, 2], ["x", "y", "z"]),
            _row("binary.json", [[0.9, 0.1], [0.2, 0.8]], [0, 1], ["neg", "pos"]),
            _row("search.json", three, [0, 2], ["x", "y", "z"], phase="search"),
            _row("bad.json", three, [0, 7], ["x", "y", "z"]),  # a label outside the probabilities
            _row("unnamed.json", three, [0, 1], None),
        ]
    )
    found = example_predictions(records)
    assert sorted(found) == ["a.json", "unnamed.json"]
    assert found["a.json"].predicted.tolist() == [0, 2]
    assert found["a.json"].label_names == ("x", "y", "z")
    assert found["unnamed.json"].label_names == ("0", "1", "2")


def test_figure_names_follow_the_group() -> None:
    assert figure_name("dataset=trec") == "confusion_matrix_trec.png"
    assert figure_name("") == "confusion_matrix.png"
    assert figure_name("dataset=glue/rte,head=mlp") == "confusion_matrix_glue_rte_mlp.png"


def test_suite_report_has_the_per_class_view_for_trec_only(
    built_suite_report: Path, suite_sweep: Path
) -> None:
    text = built_suite_report.read_text(encoding="utf-8")
    section = text.split("## Per-class results (multi-class tasks)", 1)[1].split("\n## ", 1)[0]
    assert (
        "### dataset=trec: full@1000[dataset=trec] vs lora@1000[dataset=trec] (3 and 3 runs)"
        in section
    )
    assert "sst2" not in section and "dataset=cr" not in section
    assert (built_suite_report.parent / "confusion_matrix_trec.png").stat().st_size > 0
    # the macro row is the mean over runs of the records' own test_macro_f1
    macro = re.search(r"\| macro-F1 \(mean of classes\) \| 240 \| ([\d.]+) \| ([\d.]+) \|", section)
    assert macro
    for value, strategy in zip(macro.groups(), ("full", "lora"), strict=True):
        folder = (
            suite_sweep
            / "records"
            / f"dataset-trec__strategy-{strategy}__train_size-1000"
            / "confirm"
        )
        runs = [json.loads(p.read_text())["test_macro_f1"] for p in folder.glob("*.json")]
        assert float(value) == pytest.approx(100 * np.mean(runs), abs=0.05)
    abbr = re.search(r"\| ABBR \| (\d+) \|", section)
    assert abbr and int(abbr.group(1)) == 10
    assert "Per class, lora vs full (best cells): the largest F1 gap is on ABBR" in text
