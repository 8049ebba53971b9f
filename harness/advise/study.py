"""Read a finished study into the one table advise works from: its completed confirmation runs.

A study is a report folder (`reports/<name>`: records.parquet or records.csv, verdicts.csv, the
sweep file embedded in report.md), a sweep output folder (`runs/<name>` with records/), or a
sweep file. Search trials are not evidence (each was picked for its validation score); the
confirmation runs of the chosen configuration are. Records are read with the report's loader and
scored with the report's metric, so advise and the report see the same numbers.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from harness.errors import ConfigError
from harness.report.errors import ReportError
from harness.report.load import load_records
from harness.report.options import report_options
from harness.report.paths import read_sweep_yaml, resolve_sweep_dir
from harness.report.score import SCORE_NAMES, Score, add_score, score_of
from harness.report.summary import run_key, summarize_cells
from harness.report.trust import CellKey, cell_flags

__all__ = ["RUN_COLUMNS", "Study", "read_study", "study_from_runs", "unit_label"]

# One row per completed confirmation run; `unit` is the report's group (the dataset in a suite)
RUN_COLUMNS = (
    "unit",
    "strategy",
    "train_size",
    "seed",
    "data_seed",
    "score",
    "train_time_s",
    "wall_time_s",
    "peak_memory_mb",
    "trainable_params",
    "checkpoint_mb",
)
_EMBEDDED = re.compile(r"sweep\.yaml as run</summary>\s*```yaml\n(.*?)\n```", re.DOTALL)


@dataclass(frozen=True)
class Study:
    """The evidence of one study: its confirmation runs plus what the report said about them."""

    name: str
    source: str
    runs: pd.DataFrame  # RUN_COLUMNS; score in points (0-100)
    score_label: str = "accuracy"
    margin: float = 1.0  # points
    margin_from: str = "default (1 point)"
    machine: str = "unknown machine"
    flags: dict[CellKey, list[str]] = field(default_factory=dict)  # (unit, strategy, size)
    verdicts: pd.DataFrame | None = None  # the report's verdicts.csv, when there is one
    unit_names: dict[str, str] = field(default_factory=dict)  # group -> printable name

    @property
    def units(self) -> list[str]:
        return sorted(set(self.runs["unit"]))

    def label(self, unit: str) -> str:
        return self.unit_names.get(unit) or unit_label(unit, self.name)


def unit_label(group: str, fallback: str) -> str:
    """`dataset=trec` prints as `trec`; other groups as they are; the ungrouped study by name."""
    if not group:
        return fallback
    axes = dict(part.partition("=")[::2] for part in group.split(","))
    return axes["dataset"] if list(axes) == ["dataset"] else group


def _machine(records: pd.DataFrame) -> str:
    """The study's machine in words, from the records' `hardware` and `device` (most common)."""
    hw: dict[str, Any] = {}
    raw = records["hardware"].dropna() if "hardware" in records else pd.Series([], dtype=object)
    for value in raw:
        try:
            found = value if isinstance(value, dict) else json.loads(str(value))
        except ValueError:
            continue
        if isinstance(found, dict):
            hw = found
            break
    device = records["device"].dropna().astype(str).mode() if "device" in records else None
    parts = [str(device.iloc[0]) if device is not None and len(device) else "device unknown"]
    if hw.get("gpu_name") or hw.get("gpu"):
        parts.append(str(hw.get("gpu_name") or hw.get("gpu")))
    if hw.get("cpu_count"):
        parts.append(f"{hw['cpu_count']} CPU cores")
    if hw.get("torch_threads"):
        parts.append(f"{hw['torch_threads']} torch thread(s) per worker")
    if hw.get("platform"):
        parts.append(str(hw["platform"]))
    return ", ".join(parts)


def _embedded_sweeps(report_md: Path) -> list[dict[str, Any]]:
    """The sweep file(s) as run, which the report embeds in its appendix."""
    if not report_md.is_file():
        return []
    found = []
    for text in _EMBEDDED.findall(report_md.read_text(encoding="utf-8")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            found.append(data)
    return found


def _read_report_table(folder: Path) -> pd.DataFrame:
    """The report's tidy table (parquet keeps the types; csv is the fallback)."""
    parquet, csv = folder / "records.parquet", folder / "records.csv"
    try:
        if parquet.is_file():
            return pd.read_parquet(parquet)
        return pd.read_csv(csv)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            str(parquet if parquet.is_file() else csv), f"cannot read ({exc})"
        ) from None


def _margin(metas: list[dict[str, Any]], margin: float | None) -> tuple[float, str]:
    """The sweep file's `report.margin` (all must agree), unless `margin=` overrides it."""
    if margin is not None:
        return margin, "the margin= option"
    try:
        found = {report_options(m).margin for m in metas} or {report_options({}).margin}
    except ReportError as exc:
        raise ConfigError("report.margin", str(exc)) from None
    if len(found) > 1:
        raise ConfigError("margin", "the sweeps declare different margins: set one with margin=M")
    value = found.pop()
    declared = any(isinstance(m.get("report"), dict) and "margin" in m["report"] for m in metas)
    return value, "the sweep file's report.margin" if declared else f"default ({value:g} point)"


def _score(metas: list[dict[str, Any]], records: pd.DataFrame) -> Score:
    """The sweep's selection metric; a report folder without a sweep file: the records' own."""
    if metas:
        try:
            scores = {score_of(m) for m in metas}
        except ReportError as exc:
            raise ConfigError("search.metric", str(exc)) from None
        if len(scores) == 1:
            return scores.pop()
    chosen = records.get("selection_metric", pd.Series([], dtype=object)).dropna().astype(str)
    chosen = chosen[chosen.isin(list(SCORE_NAMES))]
    return Score(chosen.mode().iloc[0]) if len(chosen) else Score()


def _confirmation_runs(records: pd.DataFrame) -> pd.DataFrame:
    """Completed confirmation runs with a test score, as RUN_COLUMNS (score in points)."""
    done = records[
        (records["phase"] == "confirm")
        & (records["status"] == "completed")
        & records["test_score"].notna()
        & records["grid_strategy"].notna()
        & records["grid_train_size"].notna()
    ]
    rows = []
    for _, r in done.iterrows():
        seed, data_seed = run_key(r["seed"] if pd.notna(r["seed"]) else 0, r.get("data_seed"))
        rows.append(
            {
                "unit": str(r["group"]) if pd.notna(r["group"]) else "",
                "strategy": str(r["grid_strategy"]),
                "train_size": int(r["grid_train_size"]),
                "seed": seed,
                "data_seed": data_seed,
                "score": 100.0 * float(r["test_score"]),
                **{k: _float(r.get(k)) for k in RUN_COLUMNS[6:]},
            }
        )
    return pd.DataFrame(rows, columns=list(RUN_COLUMNS))


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _verdicts(folder: Path) -> pd.DataFrame | None:
    path = folder / "verdicts.csv"
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError):
        return None
    table["group"] = table["group"].fillna("").astype(str)
    return table


def _names(records: pd.DataFrame) -> dict[str, str]:
    """Each group's printable name: the ungrouped study's dataset as its records name it."""
    out: dict[str, str] = {}
    for group, block in records.groupby(records["group"].fillna("").astype(str)):
        named = block["dataset"].dropna().astype(str) if "dataset" in block else pd.Series([])
        named = named[~named.isin(["nan", "None", ""])]
        if not group and len(named):
            out[str(group)] = str(named.mode().iloc[0])
    return out


def _locate(path: Path) -> tuple[Path, str]:
    """`report` for a folder with the report's table, else the sweep folder (or file's output)."""
    if path.is_dir() and ((path / "records.parquet").is_file() or (path / "records.csv").is_file()):
        return path, "report"
    if not path.exists():
        raise ConfigError(str(path), "no such report folder, sweep folder or sweep file")
    try:
        return resolve_sweep_dir(path), "sweep"
    except ReportError as exc:
        problem = str(exc).removeprefix(f"{path}: ")
        raise ConfigError(
            str(path), f"{problem} (give a report folder, runs/<name> or a sweep file)"
        ) from None


def read_study(path: str | Path, margin: float | None = None) -> Study:
    """The confirmation runs of a report folder, sweep folder or sweep file, with the report's
    score, the study's margin (or `margin`), its machine, trust flags and verdicts."""
    folder, kind = _locate(Path(path))
    if kind == "report":
        records = _read_report_table(folder)
        metas = _embedded_sweeps(folder / "report.md")
        verdicts = _verdicts(folder)
    else:
        try:
            records = load_records(folder)
        except ReportError as exc:
            raise ConfigError(str(folder), str(exc)) from None
        meta, _ = read_sweep_yaml(folder)
        metas, verdicts = [meta] if meta else [], None
    needed = {"phase", "status", "group", "grid_strategy", "grid_train_size", "seed"}
    if not needed <= set(records.columns):
        missing = ", ".join(sorted(needed - set(records.columns)))
        raise ConfigError(str(folder), f"not a harness records table (no {missing})")
    score = _score(metas, records)
    if "test_score" not in records or records["test_score"].isna().all():
        records = add_score(records, score)
    records["group"] = records["group"].fillna("").astype(str)
    runs = _confirmation_runs(records)
    if runs.empty:
        raise ConfigError(
            str(path), "no completed confirmation runs (phase=confirm): finish the sweep first"
        )
    value, source = _margin(metas, margin)
    names = [str(m.get("name")) for m in metas if m.get("name")]
    return Study(
        name=" + ".join(names) or folder.name,
        source=str(path),
        runs=runs,
        score_label=score.label,
        margin=value,
        margin_from=source,
        machine=_machine(records),
        flags=cell_flags(records, summarize_cells(records)),
        verdicts=verdicts,
        unit_names=_names(records),
    )


def study_from_runs(runs: pd.DataFrame, name: str = "study", **facts: Any) -> Study:
    """A study straight from a runs table (RUN_COLUMNS): simulations and tests use it."""
    table = runs.copy()
    for column in RUN_COLUMNS:
        if column not in table:
            table[column] = "" if column == "unit" else math.nan
    return Study(name=name, source=name, runs=table[list(RUN_COLUMNS)], **facts)
