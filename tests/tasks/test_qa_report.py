"""A QA sweep end to end through the CLI: selection and pruning on val_f1, and a report ranked
by test F1 (no accuracy anywhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_qa_sweep_and_report(tmp_path: Path, squad_dir: Path) -> None:
    sweep = {
        "name": "qa",
        "out": str(tmp_path / "runs"),
        "tracker": "none",
        "base": [
            "model=tiny",
            "dataset=squad",
            f"dataset.train_path={squad_dir / 'train.json'}",
            f"dataset.test_path={squad_dir / 'test.json'}",
            "dataset.max_length=128",
            "dataset.doc_stride=32",
            "dataset.val_size=4",
            "train.max_steps=6",
            "train.min_steps=0",
            "train.batch_size=4",
            "train.drift_examples=4",
        ],
        "grid": {"strategy": ["full", "head_only"], "train_size": [8, 12]},
        "search": {
            "n_trials": 2,
            "metric": "val_f1",
            "space": {"lr": {"low": 1e-4, "high": 1e-2, "log": True}},
        },
        "confirm": {"seeds": 2},
    }
    file = tmp_path / "qa.yaml"
    file.write_text(yaml.safe_dump(sweep))
    env = {**os.environ, "HARNESS_TORCH_THREADS": "1"}
    run = [sys.executable, "-m", "harness"]
    out = subprocess.run(
        [*run, "sweep", str(file)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    records = [json.loads(p.read_text()) for p in (tmp_path / "runs" / "records").rglob("*.json")]
    assert len(records) == 16 and all(r["status"] == "completed" for r in records)
    assert {r["selection_metric"] for r in records} == {"f1"}
    assert all(r["val_f1"] is not None and r["val_accuracy"] is None for r in records)

    report = tmp_path / "report"
    out = subprocess.run(
        [*run, "report", str(tmp_path / "runs"), f"out={report}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    text = (report / "report.md").read_text()
    assert (
        "task: extractive_qa" in text
        and "## Test F1" in text
        and "accuracy" not in text.lower().split("## trust")[0]
    )
