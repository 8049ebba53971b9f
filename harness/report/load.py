"""Turn the per-trial JSON records of a sweep into one tidy table the report works from."""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.record import FIELDS
from harness.report.errors import ReportError

__all__ = [
    "FLOAT_KEYS",
    "INT_KEYS",
    "STR_KEYS",
    "arrange_records",
    "decode_predictions",
    "json_list",
    "load_records",
    "parse_cell_id",
    "read_records",
]


def _scalar_keys(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS if f.kind is kind)


# Column types come from the record schema (harness/record, which imports no part of the core):
# every scalar key becomes a column of its type, even when the records lack it.
INT_KEYS = _scalar_keys(int)
FLOAT_KEYS = (*_scalar_keys(float), "ensemble_test_accuracy")  # the last: computed by the report
STR_KEYS = _scalar_keys(str)
_BOOL_KEYS = _scalar_keys(bool)
_LEADING = ("group", "grid_strategy", "grid_train_size", "cell_id", "phase", "trial_number")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def json_list(value: Any) -> list[Any]:
    """A nested record value (a list, stored as JSON text in the table) back as a list; [] when
    absent or malformed (old records lack `flags`, a failed trial's `history` is empty)."""
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or not value.startswith("["):
        return []
    try:
        found = json.loads(value)
    except ValueError:
        return []
    return found if isinstance(found, list) else []


def decode_predictions(probs: Any, labels: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """A record's `test_probs` [N x labels] and `test_labels` [N] as arrays; None when absent,
    malformed or of mismatched length."""
    try:
        p = np.asarray(json.loads(str(probs)), dtype=float)
        y = np.asarray(json.loads(str(labels)), dtype=int)
    except (TypeError, ValueError):
        return None
    if p.ndim != 2 or y.shape != (len(p),) or len(y) == 0:
        return None
    return p, y


def parse_cell_id(cell_id: str) -> dict[str, Any]:
    """Grid values from `strategy=top_k,train_size=100` or the folder form `strategy-top_k__train_size-100`."""
    if "=" in cell_id:
        pairs = [part.partition("=") for part in cell_id.split(",")]
    else:
        pairs = [part.partition("-") for part in cell_id.split("__")]
    cell: dict[str, Any] = {}
    for key, sep, value in pairs:
        if sep and key.strip():
            cell[key.strip()] = int(value) if value.strip().isdigit() else value.strip()
    return cell


def _from_path(path: Path, records_dir: Path) -> dict[str, Any]:
    """Where a record sits says its cell, phase and trial, so older records still group."""
    parts = path.relative_to(records_dir).parts
    found: dict[str, Any] = {"record_path": path.relative_to(records_dir.parent).as_posix()}
    if len(parts) >= 3:
        cell = parse_cell_id(parts[0])
        found["cell_id"] = ",".join(f"{k}={v}" for k, v in cell.items()) or parts[0]
        found["phase"] = parts[1]
    match = re.match(r"^trial-(\d+)$", path.stem)
    if match:
        found["trial_number"] = int(match.group(1))
    return found


def _config_data_seed(record: dict[str, Any]) -> int:
    """Records from before `data_seed` was a key: the resolved config's, else the one draw (0)."""
    config = record.get("config")
    dataset = config.get("dataset") if isinstance(config, dict) else None
    value = dataset.get("data_seed") if isinstance(dataset, dict) else None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _flatten(record: dict[str, Any], located: dict[str, Any]) -> dict[str, Any]:
    """One row per record: scalars as they are, nested values as sorted JSON strings."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        is_nested = isinstance(value, (dict, list))
        row[key] = json.dumps(value, sort_keys=True) if is_nested else value
    for key, value in located.items():
        if row.get(key) is None:
            row[key] = value
    row["record_path"] = located["record_path"]
    if record.get("data_seed") is None:
        row["data_seed"] = _config_data_seed(record)
    cell = record.get("cell") if isinstance(record.get("cell"), dict) else None
    if cell is None:
        cell = parse_cell_id(str(row.get("cell_id") or ""))
    strategy = cell.get("strategy", row.get("strategy"))
    row["grid_strategy"] = None if strategy is None else str(strategy)
    size = cell.get("train_size", row.get("train_size"))
    row["grid_train_size"] = int(float(str(size))) if _NUMBER.match(str(size)) else None
    extra = sorted(k for k in cell if k not in ("strategy", "train_size"))
    row["group"] = ",".join(f"{k}={cell[k]}" for k in extra)
    return row


def _read_all(records_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse every record, collecting the unreadable ones instead of stopping at the first."""
    rows: list[dict[str, Any]] = []
    bad: list[str] = []
    for path in sorted(records_dir.rglob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            rows.append(_flatten(record, _from_path(path, records_dir)))
        except (OSError, ValueError) as exc:
            bad.append(f"{path.relative_to(records_dir).as_posix()} ({exc})")
    return rows, bad


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    """Fix column types so numbers compare as numbers whatever the JSON held."""
    for key in (*INT_KEYS, *FLOAT_KEYS, *STR_KEYS, *_BOOL_KEYS):
        if key not in frame.columns:
            frame[key] = None
    for key in INT_KEYS:
        frame[key] = pd.to_numeric(frame[key], errors="coerce").round().astype("Int64")
    for key in FLOAT_KEYS:
        frame[key] = pd.to_numeric(frame[key], errors="coerce").astype("float64")
    for key in STR_KEYS:
        frame[key] = frame[key].astype("str")  # pandas 3: missing stays NaN
    frame["grid_train_size"] = frame["grid_train_size"].astype("Int64")
    return frame


def _one_sweep(rows: list[dict[str, Any]], where: Path, pick: str | None) -> list[dict[str, Any]]:
    """The rows of one sweep: records of two sweeps in one folder (one `out=` for both) would
    be averaged into the same cells, so they are refused unless `sweep=NAME` picks one."""
    counts = Counter(r["sweep"] for r in rows if isinstance(r.get("sweep"), str) and r["sweep"])
    if pick is not None:
        if pick not in counts:
            found = ", ".join(sorted(counts)) or "none"
            raise ReportError(f"{where}: no record of sweep {pick!r} (sweeps found: {found})")
        return [r for r in rows if r.get("sweep") == pick]
    if len(counts) > 1:
        found = " and ".join(f"{name!r} ({n} records)" for name, n in sorted(counts.items()))
        first = sorted(counts)[0]
        raise ReportError(
            f"{where}: records of {len(counts)} sweeps in one folder, {found}: a report covers "
            f"one sweep; pick one with sweep=NAME (e.g. sweep={first})"
        )
    return rows


def read_records(sweep_dir: Path, sweep: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Every record of a sweep as one row, and the files that could not be read (each with
    its reason), so the report can list them. `sweep`: keep only that sweep's records."""
    records_dir = Path(sweep_dir) / "records"
    if not records_dir.is_dir():
        raise ReportError(f"{sweep_dir}: no records/ folder")
    rows, bad = _read_all(records_dir)
    rows = _one_sweep(rows, Path(sweep_dir), sweep)
    if not rows:
        raise ReportError(f"{sweep_dir}: no readable records under records/")
    return arrange_records(_coerce(pd.DataFrame(rows))), bad


def load_records(sweep_dir: Path, sweep: str | None = None) -> pd.DataFrame:
    """Every record of a sweep as one row; bad files are skipped with a warning, not a crash."""
    frame, bad = read_records(sweep_dir, sweep)
    if bad:
        listing = "; ".join(bad)
        warnings.warn(f"skipped {len(bad)} unreadable record(s): {listing}", stacklevel=2)
    return frame


def arrange_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Grid columns first, rows in cell, phase and trial order: one layout however many sweeps."""
    leading = [c for c in _LEADING if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in leading)
    frame = frame[leading + rest]
    order = ["group", "grid_strategy", "grid_train_size", "phase", "trial_number", "seed"]
    frame = frame.sort_values([*order, "record_path"], na_position="last", kind="stable")
    return frame.reset_index(drop=True)
