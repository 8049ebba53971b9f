"""One verdict per comparison: every partial strategy against full fine-tuning at every size.

The analysis is `harness.stats`' (the sweep decides when to stop with the same one): per size, a
block model of the confirmation runs looked at after every confirmation round, repeated p-values
and Shaffer's step-down within the size. A hierarchical bootstrap over runs and test examples is
a second interval, and the per-comparison paired t-test a sensitivity column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from harness.report.bootstrap import hierarchical_bootstrap, run_bootstrap
from harness.report.options import ReportOptions
from harness.stats import (
    LookPlan,
    SizeAnalysis,
    SizeVerdicts,
    analyse_size,
    block_frame,
    decide_size,
)

__all__ = [
    "BOOTSTRAP_MIN_RUNS",
    "VERDICT_COLUMNS",
    "size_analyses",
    "size_frame",
    "verdict_table",
    "versus_full_map",
]

FULL = "full"
# Below this many paired runs a percentile bootstrap over runs undercovers badly (about 75 % for a
# nominal 95 % at 3 runs, in 4,000 simulated studies): the report does not show it there.
BOOTSTRAP_MIN_RUNS = 10
VERDICT_COLUMNS = [
    "family",
    "group",
    "train_size",
    "strategy",
    "reference",
    "test",
    "n",
    "diff",
    "ci_low",
    "ci_high",
    "boot_low",
    "boot_high",
    "boot_kind",
    "p_diff",
    "p_equiv",
    "p_diff_adj",
    "p_equiv_adj",
    "verdict",
    "mdd",
    "seeds_needed",
    "mean",
    "reference_mean",
    "paired_diff",
    "paired_low",
    "paired_high",
    "paired_p",
    "levene_p",
    "method_reason",
]


def size_frame(cells: pd.DataFrame) -> pd.DataFrame:
    """The confirmation runs of one size's finished cells in the block model's form: strategy,
    block (seed, data seed), order (the block's position in the run sequence) and score (points)."""
    return block_frame(
        {
            str(r["strategy"]): {k: 100 * float(v) for k, v in r["seed_acc"].items()}
            for _, r in cells.iterrows()
        }
    )


def _correct_pairs(
    a: pd.Series, b: pd.Series, correct: Mapping[str, np.ndarray]
) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Per-example correctness of the shared runs of two cells, when every one was stored."""
    shared = sorted(set(a["seed_acc"]) & set(b["seed_acc"]), key=str)
    xa = [correct.get(a["run_paths"].get(k, "")) for k in shared]
    xb = [correct.get(b["run_paths"].get(k, "")) for k in shared]
    found = [x for x in (*xa, *xb) if x is not None]
    if len(found) != 2 * len(shared) or len({len(x) for x in found}) != 1:
        return None
    return [x for x in xa if x is not None], [x for x in xb if x is not None]


def _bootstrap(
    cell: pd.Series, ref: pd.Series, correct: Mapping[str, np.ndarray]
) -> tuple[float, float, str]:
    """Percentile interval over runs (and test examples where stored); none below 10 runs."""
    shared = sorted(set(cell["seed_acc"]) & set(ref["seed_acc"]), key=str)
    if len(shared) < BOOTSTRAP_MIN_RUNS:
        return math.nan, math.nan, "—"
    pairs = _correct_pairs(cell, ref, correct)
    if pairs is not None:
        low, high = hierarchical_bootstrap(*pairs)
        return low, high, "runs × examples"
    diffs = [100 * (cell["seed_acc"][k] - ref["seed_acc"][k]) for k in shared]
    low, high = run_bootstrap(diffs)
    return low, high, "runs"


def _welch(cell: pd.Series, ref: pd.Series, margin: float) -> dict[str, Any]:
    """Cells without shared runs (older sweeps): Welch's t on the unpaired runs, one look."""
    xa, xb = (100 * np.array(list(c["seed_acc"].values()), dtype=float) for c in (cell, ref))
    if len(xa) < 2 or len(xb) < 2:
        diff = float(xa.mean() - xb.mean()) if len(xa) and len(xb) else math.nan
        return {"test": "none", "n": min(len(xa), len(xb)), "diff": diff}
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    se = max(math.sqrt(va + vb), 1e-9)
    df = (va + vb) ** 2 / max(va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1), 1e-300)
    diff = float(xa.mean() - xb.mean())
    half = float(sps.t.ppf(0.975, df)) * se
    lower = float(sps.t.sf((diff + margin) / se, df))
    upper = float(sps.t.cdf((diff - margin) / se, df))
    return {
        "test": "Welch t",
        "n": min(len(xa), len(xb)),
        "diff": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "p_diff": float(2 * sps.t.sf(abs(diff) / se, df)),
        "p_equiv": max(lower, upper),
    }


def _rows_for_size(
    group: str,
    size: int,
    at: pd.DataFrame,
    opts: ReportOptions,
    correct: Mapping[str, np.ndarray],
) -> list[dict[str, Any]]:
    """Every partial strategy of one (group, size) against full."""
    ref_rows = at[at["strategy"] == FULL]
    if ref_rows.empty:
        return []
    ref = ref_rows.iloc[0]
    plan = LookPlan(opts.seeds_min, opts.seeds_max, opts.spending, opts.look_step)
    decided: SizeVerdicts = decide_size(size_frame(at), plan, opts.margin, opts.alpha, FULL)
    rows = []
    for _, cell in at[at["strategy"] != FULL].iterrows():
        s = str(cell["strategy"])
        base = {
            "family": "vs full",
            "group": group,
            "train_size": size,
            "strategy": s,
            "reference": FULL,
            "mean": float(cell["mean"]),
            "reference_mean": float(ref["mean"]),
            "mdd": math.nan,
            "seeds_needed": None,
            "verdict": "undecided",
        }
        comp = decided.comparisons.get(s)
        if comp is None or comp.contrast.n < 2:
            rows.append({**base, **_welch(cell, ref, opts.margin), "boot_kind": "—"})
            continue
        c, p = comp.contrast, comp.paired
        low, high = c.interval()
        p_low, p_high = p.interval()
        boot_low, boot_high, kind = _bootstrap(cell, ref, correct)
        rows.append(
            {
                **base,
                "test": "block model" if c.method == "pooled" else "paired t",
                "n": c.n,
                "diff": c.diff,
                "ci_low": low,
                "ci_high": high,
                "boot_low": boot_low,
                "boot_high": boot_high,
                "boot_kind": kind,
                "p_diff": comp.p_diff,
                "p_equiv": comp.p_equiv,
                "p_diff_adj": comp.p_diff_adj,
                "p_equiv_adj": comp.p_equiv_adj,
                "verdict": comp.verdict,
                "mdd": comp.mdd,
                "seeds_needed": comp.runs_needed,
                "paired_diff": p.diff,
                "paired_low": p_low,
                "paired_high": p_high,
                "paired_p": p.p_two(),
                "levene_p": decided.analysis.levene_p,
                "method_reason": decided.analysis.reason,
            }
        )
    return rows


def versus_full_map(verdicts: pd.DataFrame) -> dict[tuple[str, int, str], str]:
    """(group, size, strategy) -> verdict against full at that size, for the main table."""
    return {
        (str(r["group"]), int(r["train_size"]), str(r["strategy"])): str(r["verdict"])
        for _, r in verdicts.iterrows()
    }


def size_analyses(summary: pd.DataFrame, full: str = FULL) -> dict[tuple[str, int], SizeAnalysis]:
    """The block model of every (group, size) with a full cell, on all its runs (the last look)."""
    ok = summary[summary["state"] == "ok"]
    return {
        (str(group), int(size)): analyse_size(size_frame(at), full)
        for (group, size), at in ok.groupby(["group", "train_size"], sort=True)
        if (at["strategy"] == full).any() and (at["strategy"] != full).any()
    }


def verdict_table(
    summary: pd.DataFrame,
    opts: ReportOptions,
    correct: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Every strategy-vs-full comparison of the report with its verdict (one family per size)."""
    ok = summary[summary["state"] == "ok"]
    rows: list[dict[str, Any]] = []
    for (group, size), at in ok.groupby(["group", "train_size"], sort=True):
        rows.extend(_rows_for_size(str(group), int(size), at, opts, correct or {}))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
