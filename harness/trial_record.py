"""A trial's record before it trains: where it goes and the facts known up front (every schema
field present, null until known; harness/record is its definition)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import torch

from harness.config import TrialSpec
from harness.record import SCHEMA_VERSION, complete_record
from harness.runtime import describe_device, git_info, hardware_info, versions

__all__ = ["base_record", "record_path"]


def record_path(spec: TrialSpec, now: datetime) -> Path:
    if spec.record_path:
        return Path(spec.record_path)
    stamp = now.strftime("%Y%m%d-%H%M%S-%f")
    return (
        Path(spec.out)
        / f"{stamp}-{spec.choices['strategy']}-n{spec.data.train_size}-s{spec.seed}.json"
    )


def base_record(
    spec: TrialSpec, device: torch.device, precision: str, extra: dict[str, Any]
) -> dict[str, Any]:
    sha, dirty = git_info()
    return complete_record(
        {  # every schema field present from the start, null until known
            "schema_version": SCHEMA_VERSION,
            "status": "failed",
            "error": None,
            "config": spec.config,
            "overrides": list(spec.overrides),  # as the user typed them
            "model": spec.choices["model"],
            "model_name_or_path": spec.model.identity,
            "dataset": spec.data.name,
            "task": spec.data.task,
            **{
                g: spec.choices[g]
                for g in (
                    "strategy",
                    "optimizer",
                    "scheduler",
                    "head",
                    "loss",
                    "regularization",
                    "augmentation",
                )
            },
            "train_size": spec.data.train_size,
            "val_size": spec.data.val_size,
            "selection_metric": spec.train.selection_metric,
            "seed": spec.seed,
            "data_seed": spec.data.data_seed,
            "flags": [],
            "lr": spec.lr,
            "weight_decay": spec.reg.weight_decay,
            "dropout": spec.reg.dropout,
            "head_lr": spec.head_lr,
            "history": [],
            **dict.fromkeys(
                ("val_accuracy", "val_macro_f1", "val_loss", "test_accuracy", "test_macro_f1")
            ),
            **dict.fromkeys(
                ("train_accuracy", "train_loss", "overfit_gap", "trainable_params", "total_params")
            ),
            **dict.fromkeys(
                ("train_time_s", "train_samples_per_s", "peak_memory_mb", "checkpoint_mb")
            ),
            "checkpoint_path": None,
            "device": describe_device(device),
            "precision": precision,
            "git_sha": sha,
            "git_dirty": dirty,
            "versions": versions(),
            "hardware": hardware_info(device),
            **extra,
        }
    )
