"""The report ranks by the sweep's selection metric: accuracy, or entity F1 for NER sweeps."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pandas as pd
import pytest

from harness.report import ReportError, build_report
from harness.report.score import Score, add_score, score_of


def test_the_selection_metric_names_the_score() -> None:
    assert score_of({}) == Score("accuracy")
    ner = score_of({"search": {"metric": "val_entity_f1"}})
    assert (ner.label, ner.key("test"), ner.short) == ("entity F1", "test_entity_f1", "entity F1")
    with pytest.raises(ReportError, match=r"search.metric: cannot rank by 'val_loss' \(allowed: "):
        score_of({"search": {"metric": "val_loss"}})


def test_add_score_copies_the_metric_and_drops_the_ensemble_for_other_metrics() -> None:
    rows = pd.DataFrame(
        {
            "val_entity_f1": [0.5],
            "test_entity_f1": [0.4],
            "train_entity_f1": [0.9],
            "val_accuracy": [0.95],
            "test_accuracy": [0.94],
            "ensemble_test_accuracy": [0.96],
        }
    )
    out = add_score(rows, Score("entity_f1"))
    assert out.loc[0, ["val_score", "test_score", "train_score"]].tolist() == [0.5, 0.4, 0.9]
    assert out.loc[0, "score_gap"] == pytest.approx(0.4)
    assert pd.isna(out.loc[0, "ensemble_score"])  # an accuracy ensemble is not an F1 ensemble
    acc = add_score(rows, Score())
    assert acc.loc[0, "test_score"] == 0.94 and acc.loc[0, "ensemble_score"] == 0.96


def _as_ner(sweep: Path) -> dict[str, list[float]]:
    """Give every record entity-F1 keys far from its accuracy; make the sweep select on them."""
    f1s: dict[str, list[float]] = {}
    for path in sorted((sweep / "records").glob("*/*/*.json")):
        rec = json.loads(path.read_text())
        for split in ("val", "test", "train"):
            acc = rec.get(f"{split}_accuracy")
            rec[f"{split}_entity_f1"] = None if acc is None else round(acc - 0.3, 6)
        rec["test_probs"] = None  # token tasks keep no per-example probabilities
        path.write_text(json.dumps(rec))
        if path.parent.name == "confirm" and rec["status"] == "completed":
            f1s.setdefault(path.parent.parent.name, []).append(rec["test_entity_f1"])
    yaml = sweep / "sweep.yaml"
    yaml.write_text(yaml.read_text().replace("search:\n", "search:\n  metric: val_entity_f1\n"))
    return f1s


def test_a_ner_sweep_is_ranked_by_entity_f1(sweep_copy: Path, tmp_path: Path) -> None:
    f1s = _as_ner(sweep_copy)
    text = build_report(sweep_copy, tmp_path / "out").read_text()
    assert "## Test entity F1" in text and "## Test accuracy" not in text
    assert "test entity F1 (%)" in text and "val entity F1 (%)" in text
    assert "(ens " not in text  # no probability ensemble for this metric
    cell = next(k for k in f1s if "full" in k and "5000" in k)
    mean = statistics.mean(f1s[cell])
    row = next(line for line in text.splitlines() if line.startswith("| full |"))
    assert f"{100 * mean:.1f}" in row.split("|")[-2]  # the 5000 column holds the F1 mean
