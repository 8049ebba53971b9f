"""What holds across datasets: verdicts vs full counted over datasets, average ranks with Friedman
and Nemenyi (Demšar 2006), a Bayesian signed-rank test per strategy vs full (Benavoli et al.
2017), and the crossover size per dataset side by side.

A *suite* is the set of summary groups that differ only in their `dataset` axis (a sweep with a
`dataset` grid axis, or several sweeps combined); every other extra axis setting is its own suite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.report.crossover import Crossover, bound, finished_cells, group_crossover
from harness.report.ranks import Friedman, average_ranks, bayes_signed_rank, friedman
from harness.report.sources import group_axes, join_group

__all__ = [
    "BayesRow",
    "RankTest",
    "Suite",
    "bayes_rows",
    "crossover_rows",
    "dataset_verdicts",
    "rank_tests",
    "suites",
    "verdict_counts",
]

VERDICTS = ("better", "equivalent", "worse", "undecided")


@dataclass(frozen=True)
class Suite:
    """Summary groups that differ only in their dataset: {dataset: group}, datasets sorted."""

    rest: str  # the other extra axes these groups share ("" when the dataset is the only one)
    groups: tuple[tuple[str, str], ...]

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.groups)

    def group(self, dataset: str) -> str:
        return dict(self.groups)[dataset]

    def dataset_of(self, group: str) -> str:
        return {g: d for d, g in self.groups}[group]


def suites(summary: pd.DataFrame) -> list[Suite]:
    """Every suite of more than one dataset in the summary (none for a single-dataset sweep)."""
    by_rest: dict[str, dict[str, str]] = {}
    for group in sorted({str(g) for g in summary["group"]}):
        axes = group_axes(group)
        dataset = axes.pop("dataset", None)
        if dataset is not None:
            by_rest.setdefault(join_group(axes), {})[dataset] = group
    return [
        Suite(rest, tuple(sorted(found.items())))
        for rest, found in sorted(by_rest.items())
        if len(found) > 1
    ]


def _ok(summary: pd.DataFrame, suite: Suite) -> pd.DataFrame:
    """The suite's finished cells."""
    groups = {g for _, g in suite.groups}
    return summary[(summary["state"] == "ok") & summary["group"].isin(groups)]


def dataset_verdicts(
    verdicts: pd.DataFrame, suite: Suite
) -> dict[tuple[str, int], dict[str, pd.Series]]:
    """(strategy, size) -> {dataset: its vs-full verdict row}, from the per-dataset verdicts."""
    groups = {g: d for d, g in suite.groups}
    vs_full = verdicts[(verdicts["family"] == "vs full") & verdicts["group"].isin(set(groups))]
    out: dict[tuple[str, int], dict[str, pd.Series]] = {}
    for _, v in vs_full.iterrows():
        key = (str(v["strategy"]), int(v["train_size"]))
        out.setdefault(key, {})[groups[str(v["group"])]] = v
    in_order = {k: {d: found[d] for d in suite.datasets if d in found} for k, found in out.items()}
    return dict(sorted(in_order.items(), key=lambda kv: (kv[0][1], kv[0][0])))


def verdict_counts(verdicts: pd.DataFrame, suite: Suite) -> pd.DataFrame:
    """Per partial strategy x size: how many datasets give each verdict against full."""
    rows = []
    for (strategy, size), found in dataset_verdicts(verdicts, suite).items():
        counts = {k: sum(str(v["verdict"]) == k for v in found.values()) for k in VERDICTS}
        rows.append(
            {
                "strategy": strategy,
                "train_size": size,
                "compared": len(found),
                "not_compared": len(suite.datasets) - len(found),
                **counts,
            }
        )
    columns = ["strategy", "train_size", "compared", "not_compared", *VERDICTS]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class RankTest:
    """Average ranks at one size over the datasets where every listed strategy finished."""

    suite: Suite
    train_size: int
    strategies: tuple[str, ...]
    datasets: tuple[str, ...]
    ranks: tuple[float, ...]  # average rank per strategy (1 = best)
    test: Friedman | None  # None with fewer than 3 strategies
    excluded: tuple[str, ...]  # strategies that did not finish on every dataset

    def ranked(self) -> list[tuple[str, float]]:
        """(strategy, average rank), best first."""
        return sorted(zip(self.strategies, self.ranks, strict=True), key=lambda x: (x[1], x[0]))


def rank_tests(summary: pd.DataFrame, suite: Suite, alpha: float) -> list[RankTest]:
    """One rank comparison per size with at least 2 datasets and 2 complete strategies."""
    ok = _ok(summary, suite)
    out = []
    for size in sorted(int(s) for s in ok["train_size"].unique()):
        at = ok[ok["train_size"] == size]
        means = {(str(r["group"]), str(r["strategy"])): float(r["mean"]) for _, r in at.iterrows()}
        datasets = [d for d, g in suite.groups if any(k[0] == g for k in means)]
        names = sorted({s for _, s in means})
        complete = [s for s in names if all((suite.group(d), s) in means for d in datasets)]
        if len(datasets) < 2 or len(complete) < 2:
            continue
        scores = np.array([[means[(suite.group(d), s)] for s in complete] for d in datasets])
        test = friedman(scores, complete, datasets, alpha) if len(complete) >= 3 else None
        ranks = tuple(float(r) for r in average_ranks(scores))
        excluded = tuple(s for s in names if s not in complete)
        out.append(RankTest(suite, size, tuple(complete), tuple(datasets), ranks, test, excluded))
    return out


@dataclass(frozen=True)
class BayesRow:
    """Bayesian signed-rank test of one partial strategy vs full at one size, over datasets."""

    strategy: str
    train_size: int
    datasets: tuple[str, ...]
    mean_diff: float  # mean over datasets of (strategy − full) mean score, points
    p_full: float  # P(full practically better)
    p_rope: float  # P(equivalent within the margin)
    p_strategy: float  # P(strategy practically better)


def bayes_rows(
    summary: pd.DataFrame, suite: Suite, margin: float, full: str = "full"
) -> list[BayesRow]:
    """Per partial strategy x size, from the per-dataset differences of means (points), over
    the >= 2 datasets where both cells finished; the rope is the report's margin."""
    ok = _ok(summary, suite)
    means = {
        (str(r["group"]), str(r["strategy"]), int(r["train_size"])): float(r["mean"])
        for _, r in ok.iterrows()
    }
    rows = []
    for size, strategy in sorted({(n, s) for _, s, n in means if s != full}):
        diffs, datasets = [], []
        for dataset, group in suite.groups:
            if (group, strategy, size) in means and (group, full, size) in means:
                diffs.append(100 * (means[(group, strategy, size)] - means[(group, full, size)]))
                datasets.append(dataset)
        if len(diffs) >= 2:
            worse, same, better = bayes_signed_rank(diffs, margin)
            mean = float(np.mean(diffs))
            rows.append(BayesRow(strategy, size, tuple(datasets), mean, worse, same, better))
    return rows


def crossover_rows(
    summary: pd.DataFrame, suite: Suite, full: str = "full"
) -> list[tuple[str, Crossover | None]]:
    """(dataset, its crossover or None when fewer than two sizes compare full with a partial)."""
    done = finished_cells(summary)
    return [(d, group_crossover(done[done["group"] == g], full)) for d, g in suite.groups]


def crossover_text(c: Crossover | None) -> tuple[str, str, str]:
    """(estimate, interval, share) as the side-by-side table prints them."""
    if c is None:
        return "—", "—", "fewer than 2 comparable sizes"
    if math.isnan(c.estimate):
        estimate = f"none up to {c.sizes[-1]}"
    elif c.estimate == -math.inf:
        estimate = f"full leads already at {c.sizes[0]}"
    else:
        estimate = f"about {c.estimate:.0f}"
    interval = f"{bound(c.low, c)} to {bound(c.high, c)}"
    return estimate, interval, f"{100 * c.crossing / c.resamples:.0f} %"
