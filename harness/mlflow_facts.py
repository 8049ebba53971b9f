"""What MLflow receives from a record, derived from the schema (harness/record): params, metrics
with their real timestamps and steps, tags, dataset inputs. Pure functions: no MLflow calls."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag

from harness.record import FIELDS

__all__ = [
    "STATUS",
    "dataset_inputs",
    "end_ms",
    "flat_config",
    "record_metrics",
    "record_params",
    "record_tags",
    "shared_params",
    "start_ms",
]

MAX_VALUE = 6000  # MLflow's param value limit (characters)
MAX_KEY = 250  # and its key limit
STATUS = {"completed": "FINISHED", "pruned": "KILLED", "failed": "FAILED"}


def _ms(iso: str | None) -> int | None:
    return int(datetime.fromisoformat(iso).timestamp() * 1000) if iso else None


def start_ms(rec: dict[str, Any]) -> int | None:
    """When the trial started (epoch ms), for the run's start time; None: now."""
    return _ms(rec.get("started_at"))


def end_ms(rec: dict[str, Any]) -> int | None:
    return _ms(rec.get("finished_at"))


def flat_config(config: dict[str, Any], prefix: str = "config") -> dict[str, str]:
    """Every leaf of the resolved config as `config.a.b` -> text (lists as JSON), within limits."""
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and value:
            out.update(flat_config(value, name))
        elif len(name) <= MAX_KEY:
            text = json.dumps(value) if isinstance(value, list | dict) else str(value)
            out[name] = text[:MAX_VALUE]
    return out


def record_params(rec: dict[str, Any]) -> list[Param]:
    """The schema's param fields plus the flattened resolved config."""
    params = {
        f.name: str(rec[f.name])
        for f in FIELDS
        if f.sink == "param" and rec.get(f.name) is not None
    }
    params.update(flat_config(rec.get("config") or {}))
    return [Param(k, v[:MAX_VALUE]) for k, v in params.items()]


SHARED = ("model", "model_name_or_path", "dataset", "task")  # what a cell's runs have in common


def shared_params(rec: dict[str, Any]) -> list[Param]:
    """The params a cell's parent run carries: the model and the dataset its runs share."""
    return [Param(k, str(rec[k])[:MAX_VALUE]) for k in SHARED if rec.get(k) is not None]


def curve_metrics(row: dict[str, Any], stamp: int) -> list[Metric]:
    """One evaluation of the curve as `epoch/<key>` metrics at its step."""
    return [
        Metric(f"epoch/{key}", float(value), stamp, int(row["step"]))
        for key, value in row.items()
        if key not in ("epoch", "step", "elapsed_s") and isinstance(value, int | float)
    ]


def record_metrics(rec: dict[str, Any], curve: bool = True) -> list[Metric]:
    """Every numeric metric field at the trial's end time; with `curve`, the evaluations at their
    steps, stamped with the time each happened (start + elapsed)."""
    end = _ms(rec.get("finished_at")) or 0
    start = _ms(rec.get("started_at")) or end
    metrics = [
        Metric(f.name, float(rec[f.name]), end, int(rec.get("optimizer_steps") or 0))
        for f in FIELDS
        if f.sink == "metric"
        and isinstance(rec.get(f.name), int | float)
        and not isinstance(rec.get(f.name), bool)
    ]
    for row in (rec.get("history") or []) if curve else []:
        metrics += curve_metrics(row, start + int(1000 * float(row.get("elapsed_s") or 0)))
    return metrics


def record_tags(rec: dict[str, Any]) -> list[RunTag]:
    """The schema's tag fields (a list joined by commas) and the git commit MLflow shows."""
    tags = {}
    for f in FIELDS:
        value = rec.get(f.name)
        if f.tag and value is not None:
            tags[f.name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if rec.get("git_sha"):
        tags["mlflow.source.git.commit"] = str(rec["git_sha"])
    return [RunTag(k, v) for k, v in tags.items()]


def dataset_inputs(rec: dict[str, Any]) -> list[DatasetInput]:
    """The dataset as an MLflow input: its source (path or hub name) and a digest of what was drawn."""
    data = (rec.get("config") or {}).get("dataset") or {}
    source = str(
        data.get("train_path") or data.get("data_dir") or data.get("hub_name") or data.get("name")
    )
    drawn = {k: rec.get(k) for k in ("dataset", "train_size", "val_size", "data_seed")}
    digest = hashlib.sha256(json.dumps([source, drawn], sort_keys=True).encode()).hexdigest()[:16]
    kind = "hub" if data.get("hub_name") and not data.get("train_path") else "local"
    dataset = Dataset(name=str(rec.get("dataset")), digest=digest, source_type=kind, source=source)
    return [DatasetInput(dataset, tags=[InputTag("mlflow.data.context", "training")])]
