"""The report's "Across datasets" section: counts, per-dataset differences, ranks, Bayesian
signed-rank and crossovers, each a small table; present only when a report spans datasets."""

from __future__ import annotations

import pandas as pd

from harness.report.crossdataset import (
    RankTest,
    Suite,
    bayes_rows,
    crossover_rows,
    crossover_text,
    dataset_verdicts,
    verdict_counts,
)
from harness.report.fmt import fmt_float, fmt_points, md_table, p_is, row_label
from harness.report.options import ReportOptions
from harness.report.ranks import BAYES_PRIOR, BAYES_SAMPLES
from harness.report.score import ACCURACY, Score

__all__ = ["crossdataset_section"]

_MARK = {
    "better": "▲ better",
    "worse": "▼ worse",
    "equivalent": "≈ equivalent",
    "undecided": "? undecided",
}


def _counts_table(verdicts: pd.DataFrame, suite: Suite) -> str:
    """Wins / equivalent / losses against full per strategy x size."""
    counts = verdict_counts(verdicts, suite)
    rows = [
        [
            row_label(suite.rest, str(r["strategy"])),
            int(r["train_size"]),
            f"{int(r['compared'])} of {len(suite.datasets)}",
            int(r["better"]),
            int(r["equivalent"]),
            int(r["worse"]),
            int(r["undecided"]),
        ]
        for _, r in counts.iterrows()
    ]
    header = [
        "strategy",
        "train size",
        "datasets compared",
        "better (wins)",
        "equivalent",
        "worse (losses)",
        "undecided",
    ]
    return md_table(header, rows) if rows else "No dataset has both full and partial results."


def _per_dataset_table(verdicts: pd.DataFrame, suite: Suite) -> str:
    """Difference to full (points) and verdict, strategy x size against each dataset."""
    rows = []
    for (strategy, size), found in dataset_verdicts(verdicts, suite).items():
        cells = []
        for dataset in suite.datasets:
            v = found.get(dataset)
            cells.append("—" if v is None else f"{v['diff']:+.1f} {_MARK[str(v['verdict'])]}")
        rows.append([f"{row_label(suite.rest, strategy)} @ {size}", *cells])
    return md_table(["strategy @ train size", *suite.datasets], rows) if rows else ""


def _friedman_cells(t: RankTest) -> list[str]:
    """χ², F and CD columns of a rank row (dashes below 3 strategies)."""
    if t.test is None:
        return ["n/a (< 3 strategies)", "n/a", "—", "—"]
    f = t.test
    pairs = "; ".join(f"{a} over {b} ({gap:.2f})" for a, b, gap in f.differing_pairs())
    if not pairs:
        pairs = "none" if f.rejects else "not compared (ranks not different)"
    return [
        f"{f.chi2:.2f} ({p_is(f.p)})",
        f"{fmt_float(f.f, '.2f')} ({p_is(f.p_f)})",
        f"{f.cd:.2f}",
        pairs,
    ]


def _ranks_table(tests: list[RankTest]) -> str:
    """One row per size: average ranks, the tests and the pairs beyond the CD."""
    rows = []
    for t in tests:
        ranks = ", ".join(f"{s} {r:.2f}" for s, r in t.ranked())
        left_out = f" (not on every dataset: {', '.join(t.excluded)})" if t.excluded else ""
        rows.append(
            [
                row_label(t.suite.rest, str(t.train_size)),
                len(t.datasets),
                ranks + left_out,
                *_friedman_cells(t),
            ]
        )
    header = [
        "train size",
        "datasets",
        "average rank (1 = best)",
        "Friedman χ²",
        "Iman–Davenport F",
        "Nemenyi CD",
        "pairs beyond CD",
    ]
    return (
        md_table(header, rows) if rows else "No size has two strategies finished on two datasets."
    )


def _bayes_table(summary: pd.DataFrame, suite: Suite, margin: float) -> str:
    """P(full better) / P(equivalent) / P(strategy better) per strategy x size."""
    rows = [
        [
            row_label(suite.rest, b.strategy),
            b.train_size,
            len(b.datasets),
            f"{b.mean_diff:+.1f}",
            f"{b.p_strategy:.2f}",
            f"{b.p_rope:.2f}",
            f"{b.p_full:.2f}",
        ]
        for b in bayes_rows(summary, suite, margin)
    ]
    header = [
        "strategy",
        "train size",
        "datasets",
        "mean difference vs full (points)",
        "P(strategy better)",
        f"P(equivalent ±{fmt_points(margin)})",
        "P(full better)",
    ]
    return (
        md_table(header, rows) if rows else "Fewer than 2 datasets compare any strategy with full."
    )


def _crossover_table(summary: pd.DataFrame, suite: Suite) -> str:
    """The crossover estimate of each dataset side by side."""
    rows = [[d, *crossover_text(c)] for d, c in crossover_rows(summary, suite)]
    header = [
        "dataset",
        "full overtakes the best partial at train size",
        "bootstrap 95 % interval (crossing resamples)",
        "resamples crossing inside the sizes",
    ]
    return md_table(header, rows)


def _methods(opts: ReportOptions, score: Score) -> str:
    """How the across-dataset numbers are made, in one paragraph."""
    return (
        "**Methods.** Counts use each dataset's own verdict from the table above (Holm over every "
        "dataset's strategy-vs-full comparisons together). Ranks: per dataset and size, strategies "
        f"ranked by mean test {score.label} (1 = best, ties share the average rank); the Friedman "
        "χ² test (scipy, tie-corrected) and its Iman–Davenport F form, which Demšar (2006) "
        "recommends as less conservative, ask whether the average ranks differ; only when the F "
        f"test rejects at alpha = {opts.alpha:g} are pairs compared, by the Nemenyi critical "
        "difference CD = q_α·√(k(k+1)/(6N)) (q_α from Demšar's Table 5). With few datasets these "
        "tests are weak (the χ² approximation wants N ≥ 10): read them as indicative. Bayesian "
        "signed-rank test (Benavoli et al. 2017) on the per-dataset differences of means, with a "
        f"region of practical equivalence of ±{fmt_points(opts.margin)} (`report.margin`), prior "
        f"weight {BAYES_PRIOR:g} at 0 and {BAYES_SAMPLES:,} seeded Dirichlet draws: the share of "
        "draws in which each region is the most probable."
    )


def crossdataset_section(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    tests: dict[str, list[RankTest]],
    suite_list: list[Suite],
    opts: ReportOptions,
    figure: str | None,
    score: Score = ACCURACY,
) -> str:
    """Answer 'does the answer hold on most datasets, and where does it not?'"""
    parts = ["## Across datasets"]
    for suite in suite_list:
        head = f" [{suite.rest}]" if suite.rest else ""
        parts += [
            f"Datasets{head}: {', '.join(suite.datasets)}. Verdicts against full per dataset, counted:",
            _counts_table(verdicts, suite),
            "Difference to full (points) and verdict per dataset (▲ better, ≈ equivalent, ▼ worse, ? undecided, — not compared):",
            _per_dataset_table(verdicts, suite),
            f"### Average ranks{head}",
            _ranks_table(tests[suite.rest]),
            f"![Critical-difference diagrams, one per size]({figure})"
            if figure and suite == suite_list[0]
            else "",
            f"### Bayesian signed-rank test{head}",
            _bayes_table(summary, suite, opts.margin),
            f"### Crossover per dataset{head}",
            _crossover_table(summary, suite),
        ]
    parts.append(_methods(opts, score))
    return "\n\n".join(p for p in parts if p)
