"""Fabricated records for tests that need a record on disk without running a trial (not a test
module): complete and valid under harness/record's schema, with the given facts on top."""

from __future__ import annotations

from typing import Any

from harness.record import SCHEMA_VERSION, complete_record

__all__ = ["fake_record"]


def fake_record(**facts: Any) -> dict[str, Any]:
    """A completed, tested, schema-valid record of a tiny trial; `facts` override any key."""
    rec: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "status": "completed",
        "error": None,
        "config": {},
        "model": "tiny",
        "model_name_or_path": "tiny",
        "dataset": "sst2",
        "task": "sequence_classification",
        "strategy": "full",
        "optimizer": "adamw",
        "scheduler": "linear",
        "device": "cpu",
        "train_size": 32,
        "seed": 0,
        "lr": 1e-3,
        "weight_decay": 0.01,
        "dropout": 0.1,
        "history": [],
        "versions": {},
        "wall_time_s": 1.0,
        "selection_metric": "accuracy",
        "val_accuracy": 0.5,
        "test_accuracy": 0.5,
        "trainable_params": 1,
        "train_time_s": 1.0,
    }
    rec.update(facts)
    return complete_record(rec)
