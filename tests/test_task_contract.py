"""The contract every task keeps: each file of conf/task/ x a few strategies, on tiny models.

Tasks are globbed from conf/task/*.yaml, so a new task is covered the moment it exists (it must
add its data below). Each composes from its dataset alone (the dataset's `task:` key picks the
task and the task its head) and from `task=<name>`, trains a few steps, evaluates, and writes a
valid record whose metrics (the task's own, on every split) are fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from datafiles import write_pairs

from harness.config import load_spec
from harness.paths import conf_dir
from harness.record import read_record, validate_record
from harness.tasks import load_task
from harness.trial import run_trial

TASKS = sorted(p.stem for p in (conf_dir() / "task").glob("*.yaml"))
STRATEGIES = ("full", "head_only", "lora", "top_k")
SQUAD = Path(__file__).resolve().parent / "fixtures" / "squad"


@pytest.fixture
def task_data(tmp_path: Path, conll_folder: Path) -> dict[str, Callable[[], list[str]]]:
    """Each task's dataset overrides (no `head=`: the task picks it)."""
    return {
        "sequence_classification": lambda: [],  # the default dataset (sst2)
        "sentence_pair_classification": lambda: write_pairs(tmp_path / "pairs"),
        "token_classification": lambda: ["dataset=conll2003", f"dataset.data_dir={conll_folder}"],
        "extractive_qa": lambda: [
            "dataset=squad",
            f"dataset.train_path={SQUAD / 'train.json'}",
            f"dataset.test_path={SQUAD / 'test.json'}",
            "dataset.max_length=128",
            "dataset.doc_stride=32",
            "dataset.train_size=12",
            "dataset.val_size=4",
            "train.batch_size=4",
            "train.drift_examples=4",
        ],
    }


def _overrides(name: str, task_data: dict[str, Any], tiny: list[str]) -> list[str]:
    if name not in task_data:
        pytest.fail(f"conf/task/{name}.yaml has no data here: add its dataset to task_data")
    return [
        *tiny,
        *task_data[name](),
        "train.epochs=null",
        "train.max_steps=3",
        "train.min_steps=0",
    ]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("name", TASKS)
def test_task_trains_evaluates_and_records(
    name: str, strategy: str, task_data: dict[str, Any], tiny_overrides: list[str]
) -> None:
    task = load_task(name)
    overrides = [*_overrides(name, task_data, tiny_overrides), f"strategy={strategy}"]
    if strategy == "top_k":
        overrides.append("strategy.k=1")
    spec = load_spec(overrides)
    assert spec.data.task == name and spec.choices["task"] == name
    assert spec.choices["head"] == task.default_head  # picked by the task, not named
    assert spec.train.selection_metric == task.selection_metrics[0]
    assert load_spec([*overrides, f"task={name}"]).data == spec.data  # the group says the same

    rec, path = run_trial(spec)
    assert rec["status"] == "completed", rec.get("traceback")
    assert validate_record(read_record(path)) == []
    assert rec["task"] == name and rec["head"] == task.default_head
    assert rec["optimizer_steps"] == 3 and len(rec["history"]) >= 1
    for split in ("val", "train", "test"):
        for metric in task.metrics:
            value = rec[f"{split}_{metric}"]
            assert isinstance(value, float) and 0.0 <= value <= 1.0, f"{split}_{metric}={value}"
    for row in rec["history"]:
        assert {f"val_{m}" for m in (*task.metrics, "loss")} <= set(row)
    selected = next(row for row in rec["history"] if row["step"] == rec["best_step"])
    key = f"val_{task.selection_metrics[0]}"
    assert rec[key] == selected[key]  # the record holds the selected evaluation's score
