"""Findings across datasets: what holds on most datasets, with the exceptions named and cited.

"Most" means more than half of the datasets where both cells finished. Each statement cites its
cells as the other findings do (`lora@100[dataset=trec]`), the majority compactly
(`[lora@100, full@100 on cr, sst2]`).
"""

from __future__ import annotations

import math

import pandas as pd

from harness.report.crossdataset import (
    VERDICTS,
    BayesRow,
    RankTest,
    Suite,
    bayes_rows,
    crossover_rows,
    dataset_verdicts,
)
from harness.report.crossover import finished_cells
from harness.report.fmt import cell_name, fmt_points, p_is
from harness.report.trust import CellKey, suspect_note

__all__ = ["DECISIVE", "crossdataset_findings", "majority_verdict"]

# posterior probability a Bayesian signed-rank statement needs (Benavoli et al. 2017)
DECISIVE = 0.95


def _on(cells: list[str], datasets: list[str]) -> str:
    """`[lora@100, full@100 on cr, sst2]`: the same cells on several datasets."""
    return f"[{', '.join(cells)} on {', '.join(datasets)}]"


def _suspect(
    cells: list[tuple[str, int]],
    datasets: list[str],
    suite: Suite,
    flags: dict[CellKey, list[str]],
) -> str:
    """` *suspect*: lora@1000[dataset=cr] lr_at_boundary (3 of 3 runs); …` for the flagged ones
    among the cells a cross-dataset statement rests on (as the per-dataset findings say it)."""
    keys = [(suite.group(d), s, n) for d in datasets for s, n in cells]
    return suspect_note(keys, flags)


def majority_verdict(found: dict[str, str]) -> str | None:
    """The verdict more than half of the datasets give, or None."""
    for verdict in VERDICTS:
        if sum(v == verdict for v in found.values()) * 2 > len(found):
            return verdict
    return None


def _exception(dataset: str, v: pd.Series, suite: Suite) -> str:
    """`trec worse (−5.9 points, 95 % CI −7.0 to −4.8) [lora@100[dataset=trec], full@100[...]]`."""
    group, size = suite.group(dataset), int(v["train_size"])
    interval = f", 95 % CI {v['ci_low']:.1f} to {v['ci_high']:.1f}" if pd.notna(v["ci_low"]) else ""
    cells = f"{cell_name(str(v['strategy']), size, group)}, {cell_name(str(v['reference']), size, group)}"
    return f"{dataset} {v['verdict']} ({v['diff']:+.1f} points{interval}) [{cells}]"


def _verdict_finding(
    strategy: str,
    size: int,
    found: dict[str, pd.Series],
    suite: Suite,
    full: str,
    flags: dict[CellKey, list[str]],
) -> str:
    """One strategy-vs-full question over the datasets."""
    head = f"Across datasets{f' [{suite.rest}]' if suite.rest else ''}, {strategy} vs {full} at train_size={size}"
    verdicts = {d: str(v["verdict"]) for d, v in found.items()}
    missing = [d for d in suite.datasets if d not in found]
    tail = f"; not compared on {', '.join(missing)} (no confirmation results)" if missing else ""
    major = majority_verdict(verdicts)
    suspect = _suspect([(strategy, size), (full, size)], list(found), suite, flags)
    if major is None:
        parts = "; ".join(_exception(d, v, suite) for d, v in found.items())
        return f"{head}: no verdict holds on most of the {len(found)} datasets compared — {parts}{tail}.{suspect}"
    agree = [d for d, v in verdicts.items() if v == major]
    others = [_exception(d, found[d], suite) for d in found if verdicts[d] != major]
    cite = _on([f"{strategy}@{size}", f"{full}@{size}"], agree)
    text = (
        f"{head}: **{major} on {len(agree)} of {len(found)} datasets** ({', '.join(agree)}) {cite}"
    )
    text += (
        f"; exception{'s' if len(others) > 1 else ''}: {'; '.join(others)}"
        if others
        else "; no exceptions"
    )
    return text + tail + "." + suspect


def _rank_finding(t: RankTest, flags: dict[CellKey, list[str]]) -> str | None:
    """Average ranks at one size, the Friedman verdict and the pairs beyond the CD."""
    if t.test is None:
        return None
    f = t.test
    where = f" [{t.suite.rest}]" if t.suite.rest else ""
    ranks = ", ".join(f"{s} {r:.2f}" for s, r in t.ranked())
    head = (
        f"Across datasets{where} at train_size={t.train_size}, average ranks over {len(t.datasets)} "
        f"datasets: {ranks}; Friedman χ²={f.chi2:.2f} ({p_is(f.p)}), Iman–Davenport {p_is(f.p_f)}"
    )
    pairs = f.differing_pairs()
    if not f.rejects:
        verdict = f": the ranks cannot be told apart at alpha {f.alpha:g}, so no pair is compared"
    elif pairs:
        listed = "; ".join(f"{a} over {b} ({gap:.2f})" for a, b, gap in pairs)
        verdict = f": the ranks differ; beyond the Nemenyi CD ({f.cd:.2f}): {listed}"
    else:
        verdict = (
            f": the ranks differ, but no pair is further apart than the Nemenyi CD ({f.cd:.2f})"
        )
    cite = _on([f"{s}@{t.train_size}" for s in t.strategies], list(t.datasets))
    suspect = _suspect([(s, t.train_size) for s in t.strategies], list(t.datasets), t.suite, flags)
    return f"{head}{verdict} {cite}.{suspect}"


def _bayes_finding(
    b: BayesRow, suite: Suite, margin: float, full: str, flags: dict[CellKey, list[str]]
) -> str:
    """The Bayesian signed-rank test over datasets: a statement when one region of the posterior
    holds at least DECISIVE of its mass, else the probabilities without one."""
    where = f" [{suite.rest}]" if suite.rest else ""
    head = (
        f"Across datasets{where}, {b.strategy} vs {full} at train_size={b.train_size} "
        f"(Bayesian signed-rank test over the {len(b.datasets)} datasets' mean differences)"
    )
    regions = [
        (b.p_rope, f"practically equivalent (within ±{fmt_points(margin)})"),
        (b.p_full, f"{full} practically better (by more than {fmt_points(margin)})"),
        (b.p_strategy, f"{b.strategy} practically better (by more than {fmt_points(margin)})"),
    ]
    p, said = max(regions, key=lambda r: r[0])
    odds = (
        f"P(equivalent) {b.p_rope:.2f}, P({full} better) {b.p_full:.2f}, "
        f"P({b.strategy} better) {b.p_strategy:.2f}; mean difference {b.mean_diff:+.1f} points"
    )
    cite = _on([f"{b.strategy}@{b.train_size}", f"{full}@{b.train_size}"], list(b.datasets))
    cells = [(b.strategy, b.train_size), (full, b.train_size)]
    suspect = _suspect(cells, list(b.datasets), suite, flags)
    if p >= DECISIVE:
        return f"{head}: **{said}** with probability {p:.2f} ({odds}) {cite}.{suspect}"
    return f"{head}: no region reaches {DECISIVE:g} ({odds}) {cite}.{suspect}"


def _crossover_finding(summary: pd.DataFrame, suite: Suite, full: str) -> str | None:
    """Where full overtakes the best partial strategy, dataset by dataset, in one statement."""
    rows = [(d, c) for d, c in crossover_rows(summary, suite, full) if c is not None]
    if not rows:
        return None
    inside = [f"{d} at about {c.estimate:.0f}" for d, c in rows if math.isfinite(c.estimate)]
    leads = [d for d, c in rows if c.estimate == -math.inf]
    never = [d for d, c in rows if math.isnan(c.estimate)]
    parts = [
        f"inside the sizes run on {len(inside)} of {len(rows)} datasets ({', '.join(inside)})"
        if inside
        else f"inside the sizes run on none of {len(rows)} datasets"
    ]
    if leads:
        parts.append(f"full leads already at the smallest size on {', '.join(leads)}")
    if never:
        parts.append(f"full never overtakes on {', '.join(never)}")
    sizes = {n for _, c in rows for n in c.sizes}
    done = finished_cells(summary)
    done = done[
        done["group"].isin({suite.group(d) for d, _ in rows}) & done["train_size"].isin(sizes)
    ]
    cells = sorted({(int(r["train_size"]), str(r["strategy"])) for _, r in done.iterrows()})
    where = f" [{suite.rest}]" if suite.rest else ""
    cite = _on([f"{s}@{n}" for n, s in cells], [d for d, _ in rows])
    return f"Crossover across datasets{where}: full fine-tuning overtakes the best partial strategy {'; '.join(parts)} (see the crossover table) {cite}."


def crossdataset_findings(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    tests: dict[str, list[RankTest]],
    suite_list: list[Suite],
    margin: float,
    flags: dict[CellKey, list[str]],
    full: str = "full",
) -> list[str]:
    """The across-dataset statements, headline first: verdicts per dataset counted, the
    Bayesian signed-rank test over datasets, ranks, crossovers. A statement resting on flagged
    cells (see Trust) is marked *suspect*, naming them, as the per-dataset findings are."""
    out: list[str] = []
    for suite in suite_list:
        for (strategy, size), found in dataset_verdicts(verdicts, suite).items():
            out.append(_verdict_finding(strategy, size, found, suite, full, flags))
        out.extend(
            _bayes_finding(b, suite, margin, full, flags)
            for b in bayes_rows(summary, suite, margin)
        )
        out.extend(line for t in tests[suite.rest] if (line := _rank_finding(t, flags)))
        crossing = _crossover_finding(summary, suite, full)
        if crossing:
            out.append(crossing)
    return out
