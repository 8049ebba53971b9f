"""The report header: what was run, on what, by which code, for how long, and how it went."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from harness.paths import readable_source
from harness.report.fmt import fmt_seconds, md_table

__all__ = ["header_section"]

QUESTION = (
    "When does full fine-tuning pay for its cost, and when is partial tuning as good or better?"
)
_STATUSES = ("completed", "pruned", "failed")


def _unique(records: pd.DataFrame, column: str, show: Callable[[str], str] = str) -> str:
    """Distinct recorded values as `show` writes them, sorted; a dash when the column is empty."""
    values = (
        sorted({show(str(v)) for v in records[column].dropna()})
        if column in records.columns
        else []
    )
    return ", ".join(values) if values else "—"


def _versions(records: pd.DataFrame) -> str:
    """Package versions when every record agrees, else say they differ."""
    found = {str(v) for v in records.get("versions", pd.Series(dtype=object)).dropna()}
    if len(found) != 1:
        return "—" if not found else f"differ between records ({len(found)} distinct sets)"
    versions = json.loads(found.pop())
    return (
        ", ".join(f"{k} {versions[k]}" for k in sorted(versions))
        if isinstance(versions, dict)
        else "—"
    )


def _git(records: pd.DataFrame) -> str:
    """Commit(s) the trials ran from, flagging uncommitted changes."""
    sha = _unique(records, "git_sha")
    dirty = records["git_dirty"].dropna().astype(bool).any() if "git_dirty" in records else False
    return f"{sha} (dirty working tree in some trials)" if dirty else sha


def _wall_time(records: pd.DataFrame) -> str:
    """Summed trial wall time and the span between the first start and the last finish."""
    total = fmt_seconds(records["wall_time_s"].sum(min_count=1))
    if total == "—":
        return total
    start = records["started_at"].dropna()
    end = records["finished_at"].dropna()
    if start.empty or end.empty:
        return f"{total} summed over trials"
    first, last = min(start), max(end)
    span = (pd.Timestamp(last) - pd.Timestamp(first)).total_seconds()
    return f"{total} summed over trials; {first} → {last} ({fmt_seconds(span)} elapsed)"


def _per_cell(records: pd.DataFrame, phase: str) -> str:
    """How many records of one phase each cell has (as min–max when they differ)."""
    sub = records[records["phase"] == phase]
    if sub.empty:
        return "0"
    counts = sub.groupby(["group", "grid_strategy", "grid_train_size"]).size()
    lo, hi = int(counts.min()), int(counts.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _counts_table(records: pd.DataFrame) -> str:
    """Trials by phase and status, so failures are visible before any number is read."""
    rows = []
    phases = sorted({str(p) for p in records["phase"].dropna()})
    for phase in [*phases, "all"]:
        sub = records if phase == "all" else records[records["phase"] == phase]
        counts = [int((sub["status"] == s).sum()) for s in _STATUSES]
        rows.append([phase, *counts, len(sub)])
    return md_table(["phase", *_STATUSES, "total"], rows)


def _facts(records: pd.DataFrame, summary: pd.DataFrame, name: str) -> list[tuple[str, str]]:
    """The header's label/value pairs, in reading order."""
    sizes = ", ".join(str(s) for s in sorted(int(x) for x in summary["train_size"].unique()))
    groups = sorted({str(g) for g in summary["group"] if g})
    confirm_seeds = records.loc[records["phase"] == "confirm", "seed"].dropna()
    return [
        ("Sweep", name),
        (
            "Model",
            f"{_unique(records, 'model')} ({_unique(records, 'model_name_or_path', readable_source)})",
        ),
        ("Dataset", f"{_unique(records, 'dataset')} (task: {_unique(records, 'task')})"),
        ("Train sizes", sizes),
        ("Val / test sizes", f"{_unique(records, 'val_size')} / {_unique(records, 'test_size')}"),
        ("Strategies", ", ".join(sorted({str(s) for s in summary["strategy"]}))),
        *([("Extra grid axes", "; ".join(groups))] if groups else []),
        ("Search trials per cell", _per_cell(records, "search")),
        ("Confirmation seeds", ", ".join(str(int(s)) for s in sorted(set(confirm_seeds))) or "—"),
        ("Device", f"{_unique(records, 'device')} (precision: {_unique(records, 'precision')})"),
        ("Git SHA", _git(records)),
        ("Versions", _versions(records)),
        ("Wall time", _wall_time(records)),
    ]


def header_section(records: pd.DataFrame, summary: pd.DataFrame, name: str) -> str:
    """Say exactly what was run, so the numbers below can be trusted or questioned."""
    facts = "\n".join(f"- **{label}:** {value}" for label, value in _facts(records, summary, name))
    return "\n\n".join(
        [f"# Sweep report: {name}", f"*{QUESTION}*", facts, "Trials:", _counts_table(records)]
    )
