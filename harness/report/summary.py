"""Collapse records into one row per grid cell, and mark the best cell per train size."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CELL_KEYS", "grid_from_sweep", "mark_best", "run_key", "summarize_cells"]

CELL_KEYS = ["group", "strategy", "train_size"]


def grid_from_sweep(meta: dict[str, Any]) -> dict[str, list[Any]]:
    """Strategies and sizes the sweep file asked for, so never-run cells show as missing."""
    grid = meta.get("grid")
    if not isinstance(grid, dict):
        return {}
    axes: dict[str, list[Any]] = {}
    for key in ("strategy", "train_size"):
        values = grid.get(key)
        if isinstance(values, str):
            values = [v.strip() for v in values.split(",")]
        if isinstance(values, list):
            axes[key] = [int(v) if key == "train_size" else str(v) for v in values]
    return axes


def _search_best(search_ok: pd.DataFrame) -> dict[str, Any]:
    """Best completed search trial by val score (ties: lowest trial number)."""
    ranked = search_ok.dropna(subset=["val_score"])
    if ranked.empty:
        return {
            "search_best_val": math.nan,
            "search_best_test": math.nan,
            "search_best_trial": None,
        }
    ranked = ranked.sort_values(["val_score", "trial_number"], ascending=[False, True])
    top = ranked.iloc[0]
    return {
        "search_best_val": float(top["val_score"]),
        "search_best_test": float(top["test_score"]),
        "search_best_trial": top["trial_number"],
    }


def run_key(seed: Any, data_seed: Any) -> tuple[int, int]:
    """Runs of two cells pair when they share the training seed and the data subset draw."""
    return int(seed), 0 if pd.isna(data_seed) else int(data_seed)


def _seed_stats(confirm_ok: pd.DataFrame) -> dict[str, Any]:
    """Mean, sample std, range and 95 % t interval over confirmation runs, plus per-run values."""
    seed_acc: dict[tuple[int, int], float] = {}
    run_paths: dict[tuple[int, int], str] = {}
    for _, r in confirm_ok.iterrows():
        if pd.notna(r["seed"]):
            key = run_key(r["seed"], r.get("data_seed"))
            seed_acc[key], run_paths[key] = float(r["test_score"]), str(r["record_path"])
    values = np.array(list(seed_acc.values()), dtype=float)
    n, has = len(values), len(values) > 0
    std = float(values.std(ddof=1)) if n >= 2 else math.nan
    half = float(stats.t.ppf(0.975, n - 1)) * std / math.sqrt(n) if n >= 2 else math.nan
    ensemble = confirm_ok["ensemble_score"].dropna()
    return {
        "n_seeds": n,
        "seed_acc": dict(sorted(seed_acc.items())),
        "run_paths": run_paths,
        "mean": float(values.mean()) if has else math.nan,
        "std": std,
        "min": float(values.min()) if has else math.nan,
        "max": float(values.max()) if has else math.nan,
        "ci_low": float(values.mean()) - half if has else math.nan,
        "ci_high": float(values.mean()) + half if has else math.nan,
        "ensemble": float(ensemble.mean()) if len(ensemble) else math.nan,
        "overfit_gap": float(confirm_ok["score_gap"].mean()) if has else math.nan,
    }


def _costs(cost_rows: pd.DataFrame) -> dict[str, float]:
    """Cost of one trial in this cell, from the runs the accuracy comes from."""
    return {
        "train_time_s": float(cost_rows["train_time_s"].mean()),
        "trainable_params": float(cost_rows["trainable_params"].astype("float64").median()),
        "total_params": float(cost_rows["total_params"].astype("float64").median()),
    }


def _state(n_records: int, has_confirm: bool, has_search: bool) -> str:
    """What a cell can show: results, a search-only estimate, a failure, or nothing."""
    if n_records == 0:
        return "missing"
    if has_confirm:
        return "ok"
    return "search_only" if has_search else "failed"


def _cell_row(sub: pd.DataFrame) -> dict[str, Any]:
    """One summary row from the records of a single cell."""
    completed = sub["status"] == "completed"
    confirm_ok = sub[completed & (sub["phase"] == "confirm") & sub["test_score"].notna()]
    search_ok = sub[completed & (sub["phase"] == "search")]
    row: dict[str, Any] = {
        "state": _state(len(sub), not confirm_ok.empty, not search_ok.empty),
        "n_records": len(sub),
        "n_search": int((sub["phase"] == "search").sum()),
        "n_completed": int(completed.sum()),
        "n_pruned": int((sub["status"] == "pruned").sum()),
        "n_failed": int((sub["status"] == "failed").sum()),
    }
    row.update(_seed_stats(confirm_ok))
    row.update(_search_best(search_ok))
    row.update(_costs(confirm_ok if not confirm_ok.empty else search_ok))
    return row


def summarize_cells(
    records: pd.DataFrame, grid: dict[str, list[Any]] | None = None
) -> pd.DataFrame:
    """One row per (group, strategy, train_size) of the full grid, run or not."""
    grid = grid or {}
    groups = sorted(set(records["group"]))
    strategies = sorted(set(records["grid_strategy"].dropna()) | set(grid.get("strategy", [])))
    sizes = sorted(
        {int(s) for s in records["grid_train_size"].dropna()} | set(grid.get("train_size", []))
    )
    keyed = records.groupby(["group", "grid_strategy", "grid_train_size"], dropna=True)
    index = {(g, s, int(n)): sub for (g, s, n), sub in keyed}
    rows = []
    for group, strategy, size in itertools.product(groups, strategies, sizes):
        sub = index.get((group, strategy, size), records.iloc[0:0])
        rows.append({"group": group, "strategy": strategy, "train_size": size, **_cell_row(sub)})
    return pd.DataFrame(rows)


def _best_marks(
    block: pd.DataFrame, versus_full: dict[tuple[str, int, str], str]
) -> list[dict[str, Any]]:
    """Mark each size's best mean (descriptive) and every partial cell's verdict against full."""
    ok = block[block["state"] == "ok"]
    best = (
        ok.sort_values(["mean", "strategy"], ascending=[False, True]).iloc[0]
        if not ok.empty
        else None
    )
    out = []
    for _, row in block.iterrows():
        is_best = best is not None and row["strategy"] == best["strategy"] and row["state"] == "ok"
        key = (str(row["group"]), int(row["train_size"]), str(row["strategy"]))
        verdict = versus_full.get(key, "") if row["state"] == "ok" else ""
        out.append({"is_best": bool(is_best), "verdict": verdict})
    return out


def mark_best(
    summary: pd.DataFrame, versus_full: dict[tuple[str, int, str], str] | None = None
) -> pd.DataFrame:
    """Add is_best / verdict: each size's best mean, and each partial cell's verdict vs full."""
    marks: list[tuple[Any, dict[str, Any]]] = []
    for _, block in summary.groupby(["group", "train_size"], sort=False):
        marks.extend(zip(block.index, _best_marks(block, versus_full or {}), strict=True))
    extra = pd.DataFrame([m for _, m in marks], index=[i for i, _ in marks])
    return summary.join(extra).sort_values(CELL_KEYS, kind="stable").reset_index(drop=True)
