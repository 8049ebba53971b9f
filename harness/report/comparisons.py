"""The verdicts section: every strategy vs full, the decided count scripts read, and the methods."""

from __future__ import annotations

import pandas as pd

from harness.report.bootstrap import BOOTSTRAP_RESAMPLES
from harness.report.findings import verdict_phrase
from harness.report.fmt import fmt_p, md_table, row_label
from harness.report.fmt import fmt_points as _pts
from harness.report.options import ReportOptions
from harness.report.score import ACCURACY, Score
from harness.report.sequential import SeedPlan, nominal_level

__all__ = ["decided_line", "methods_text", "verdicts_section"]

DECIDED = ("better", "worse", "equivalent")


def decided_line(summary: pd.DataFrame, verdicts: pd.DataFrame, full: str = "full") -> str:
    """`Decided: K of N strategy-vs-full comparisons` — N counts every partial cell of a group
    with a `full` result, run or not, so lost cells do not flatter the share."""
    with_full = summary[(summary["strategy"] == full) & (summary["state"] != "missing")]["group"]
    partial = summary[(summary["strategy"] != full) & summary["group"].isin(set(with_full))]
    n = len(partial)
    vs_full = verdicts[verdicts["family"] == "vs full"]
    k = int(vs_full["verdict"].isin(DECIDED).sum())
    return f"Decided: {k} of {n} strategy-vs-full comparisons"


def _sequential_text(opts: ReportOptions) -> str:
    """How the looks are handled, with the nominal per-look levels actually used."""
    if not opts.sequential:
        return f"`confirm.seeds` is fixed ({opts.seeds_max} runs per cell): one look, tested at the full alpha."
    looks = SeedPlan(opts.seeds_min, opts.seeds_max).looks(opts.seeds_min)
    two, one = nominal_level(opts.alpha, looks, True), nominal_level(opts.alpha, looks, False)
    return (
        f"Sequential confirmation (`confirm.seeds` {opts.seeds_min}–{opts.seeds_max}): the sweep may add "
        "runs to undecided comparisons, so every possible look (n = "
        f"{opts.seeds_min}…{opts.seeds_max}) is tested at one Pocock-type nominal level — {two:.4f} "
        f"two-sided for the difference, {one:.4f} per TOST side — calibrated by simulating 100,000 null "
        "sequences of normal paired differences (the t statistics are pivotal, so the level does not "
        "depend on the seed sd). The p-values shown are sequential: the null chance that *any* planned "
        "look gives a p this small, valid whatever the stopping rule."
    )


def methods_text(opts: ReportOptions, score: Score = ACCURACY) -> str:
    """Every test and correction the verdicts use, in one paragraph."""
    return " ".join([
        f"**Methods.** Each comparison pairs the two cells' confirmation runs that share a training seed "
        f"and a data subset (`seed`, `data_seed`) and tests the mean paired difference of test {score.label} "
        f"in points: a two-sided paired t-test (difference ≠ 0) and TOST — two one-sided t-tests — for "
        f"equivalence within ±{_pts(opts.margin)} (`report.margin`). With fewer than 2 shared runs, "
        "Welch's t-test on the unpaired runs. The interval is the plain 95 % t interval; the second "
        f"estimate is a hierarchical percentile bootstrap ({BOOTSTRAP_RESAMPLES:,} seeded resamples) over "
        "runs, then test examples (the same examples for both cells, which share the test set) where "
        "per-example predictions are stored, else over runs only.",
        _sequential_text(opts),
        f"Multiple comparisons: Holm's step-down correction at family-wise alpha = {opts.alpha:g} "
        "(`report.alpha`) across the report's family of strategy-vs-full comparisons (difference and "
        "equivalence p-values corrected separately); the comparisons with each size's best form a second "
        "Holm family. Holm, not Benjamini–Hochberg, because the comparisons share the full cell and the "
        "test set, so their p-values depend on each other in unknown directions: Holm holds under any "
        "dependence, BH's guarantee needs independence or positive dependence.",
        "Verdict: *equivalent* when the Holm TOST p ≤ alpha (even if a small difference is also "
        "significant); else *better* / *worse* when the Holm difference p ≤ alpha; else *undecided*, with "
        "the minimum detectable difference now (80 % power at the level Holm would test it: alpha over the "
        "open comparisons, sequential nominal level) and about how many runs per cell would decide it if "
        "the observed difference and sd held. A 95 % interval excluding 0 can still be undecided: the "
        "verdict uses the corrected p-values.",
    ])  # fmt: skip


def _table(verdicts: pd.DataFrame, margin: float) -> str:
    """One row per strategy-vs-full comparison."""
    rows = []
    for _, v in verdicts.iterrows():
        judged = v["test"] != "none"
        boot = f"{v['boot_low']:.1f} to {v['boot_high']:.1f}" if pd.notna(v["boot_low"]) else "—"
        rows.append([
            row_label(str(v["group"]), str(v["strategy"])), int(v["train_size"]), int(v["n"]),
            f"{v['diff']:+.1f}", f"{v['ci_low']:.1f} to {v['ci_high']:.1f}" if judged else "—", boot,
            fmt_p(v["p_diff_holm"]), fmt_p(v["p_equiv_holm"]), verdict_phrase(v, margin),
        ])  # fmt: skip
    header = ["strategy", "train size", "runs", "vs full (points)", "95 % CI (t)",
              "95 % bootstrap", "p (Holm)", "TOST p (Holm)", "verdict"]  # fmt: skip
    return (
        md_table(header, rows)
        if rows
        else "No size has both full and partial confirmation results."
    )


def verdicts_section(
    summary: pd.DataFrame, verdicts: pd.DataFrame, opts: ReportOptions, score: Score = ACCURACY
) -> str:
    """Answer 'is each partial strategy better, worse or equivalent to full at each size?'"""
    vs_full = verdicts[verdicts["family"] == "vs full"]
    return "\n\n".join([
        "## Verdicts: each strategy vs full",
        f"Difference of test {score.label} (strategy − full, points) over paired confirmation runs; "
        f"equivalence margin ±{_pts(opts.margin)} (`report.margin`), family-wise alpha {opts.alpha:g}.",
        _table(vs_full, opts.margin),
        decided_line(summary, verdicts),
        methods_text(opts, score),
    ])  # fmt: skip
