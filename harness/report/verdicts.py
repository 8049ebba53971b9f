"""One verdict per comparison: every partial strategy vs full, and every cell vs its size's best.

Each comparison pairs the two cells' confirmation runs by (seed, data_seed), tests the paired
difference (sequential t-test and TOST, see `sequential`), adds a hierarchical bootstrap
interval, and Holm corrects within its family; undecided ones get a planning estimate.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from harness.report.bootstrap import hierarchical_bootstrap, run_bootstrap
from harness.report.options import ReportOptions
from harness.report.sequential import Decision, SeedPlan, decide, decide_family, paired, planning

__all__ = ["VERDICT_COLUMNS", "compare_runs", "verdict_table", "versus_best_map"]

VERDICT_COLUMNS = [
    "family", "group", "train_size", "strategy", "reference", "test", "n", "diff", "ci_low",
    "ci_high", "boot_low", "boot_high", "boot_kind", "p_diff", "p_equiv", "p_diff_holm",
    "p_equiv_holm", "verdict", "mdd", "seeds_needed", "mean", "reference_mean",
]  # fmt: skip


def _welch(
    a: Mapping[Hashable, float], b: Mapping[Hashable, float], plan: SeedPlan, margin: float
) -> Decision:
    """Unpaired fallback when fewer than 2 runs line up: Welch's t with its df."""
    xa, xb = (100 * np.array(list(x.values()), dtype=float) for x in (a, b))
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    se = math.sqrt(va + vb)
    df = (
        (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
        if se > 0
        else len(xa) + len(xb) - 2
    )
    n = min(len(xa), len(xb))
    return decide(float(xa.mean() - xb.mean()), se, df, n, plan, margin, se * math.sqrt(n))


def compare_runs(
    a: Mapping[Hashable, float],
    b: Mapping[Hashable, float],
    plan: SeedPlan,
    margin: float,
    correct: tuple[list[np.ndarray], list[np.ndarray]] | None = None,
) -> tuple[Decision, str, tuple[float, float], str]:
    """Decision (points, a − b), test name, bootstrap 95 % interval and what it resampled."""
    shared = sorted(set(a) & set(b), key=str)
    if len(shared) >= 2:
        diffs = [100 * (a[k] - b[k]) for k in shared]
        usable = correct is not None and len(correct[0]) == len(shared) >= 2
        if usable and correct is not None:
            return (
                paired(diffs, plan, margin),
                "paired t",
                hierarchical_bootstrap(*correct),
                "runs × examples",
            )
        return paired(diffs, plan, margin), "paired t", run_bootstrap(diffs), "runs"
    if len(a) >= 2 and len(b) >= 2:
        return _welch(a, b, plan, margin), "Welch t", (math.nan, math.nan), "—"
    mean = 100 * (np.mean(list(a.values())) - np.mean(list(b.values()))) if a and b else math.nan
    unjudged = decide(float(mean), math.nan, 0, min(len(a), len(b)), plan, margin)
    return unjudged, "none", (math.nan, math.nan), "—"


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


def _pairs(summary: pd.DataFrame, full: str) -> list[tuple[str, pd.Series, pd.Series]]:
    """(family, cell, reference) for every comparison the report makes."""
    out = []
    ok = summary[summary["state"] == "ok"]
    for _, at in ok.groupby(["group", "train_size"], sort=True):
        ref = at[at["strategy"] == full]
        for _, row in at.iterrows():
            if not ref.empty and row["strategy"] != full:
                out.append(("vs full", row, ref.iloc[0]))
        best = at.sort_values(["mean", "strategy"], ascending=[False, True]).iloc[0]
        out.extend(
            ("vs best", row, best)
            for _, row in at.iterrows()
            if row["strategy"] != best["strategy"]
        )
    return out


def _row(
    family: str,
    cell: pd.Series,
    ref: pd.Series,
    plan: SeedPlan,
    opts: ReportOptions,
    correct: Mapping[str, np.ndarray],
) -> dict[str, Any]:
    """One comparison's numbers before the family's correction."""
    pairs = _correct_pairs(cell, ref, correct)
    d, test, boot, kind = compare_runs(cell["seed_acc"], ref["seed_acc"], plan, opts.margin, pairs)
    return {
        "family": family, "group": str(cell["group"]), "train_size": int(cell["train_size"]),
        "strategy": str(cell["strategy"]), "reference": str(ref["strategy"]), "test": test,
        "n": d.n, "diff": d.diff, "ci_low": d.ci_low, "ci_high": d.ci_high, "boot_low": boot[0],
        "boot_high": boot[1], "boot_kind": kind, "p_diff": d.p_diff, "p_equiv": d.p_equiv,
        "mean": float(cell["mean"]), "reference_mean": float(ref["mean"]), "_decision": d,
    }  # fmt: skip


def _finish_family(rows: list[dict[str, Any]], opts: ReportOptions) -> None:
    """Holm within the family, verdicts, and planning numbers for the undecided."""
    decided, p_diff, p_equiv = decide_family([r["_decision"] for r in rows], opts.alpha)
    open_tests = sum(d.verdict == "undecided" for d in decided)
    for r, d, pd_, pe in zip(rows, decided, p_diff, p_equiv, strict=True):
        r.update(
            p_diff_holm=pd_, p_equiv_holm=pe, verdict=d.verdict, mdd=math.nan, seeds_needed=None
        )
        if d.verdict == "undecided":
            r["mdd"], r["seeds_needed"] = planning(d, opts.margin, opts.alpha, open_tests)
        del r["_decision"]


def verdict_table(
    summary: pd.DataFrame,
    opts: ReportOptions,
    correct: Mapping[str, np.ndarray] | None = None,
    full: str = "full",
) -> pd.DataFrame:
    """Every comparison of the report with its verdict; Holm within 'vs full' and 'vs best'."""
    plan = SeedPlan(opts.seeds_min, opts.seeds_max)
    rows = [_row(f, c, r, plan, opts, correct or {}) for f, c, r in _pairs(summary, full)]
    for family in ("vs full", "vs best"):
        members = [r for r in rows if r["family"] == family]
        if members:
            _finish_family(members, opts)
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def versus_best_map(verdicts: pd.DataFrame) -> dict[tuple[str, int, str], str]:
    """(group, size, strategy) -> verdict against that size's best, for the main table."""
    vb = verdicts[verdicts["family"] == "vs best"]
    return {
        (str(r["group"]), int(r["train_size"]), str(r["strategy"])): str(r["verdict"])
        for _, r in vb.iterrows()
    }
