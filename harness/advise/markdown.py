"""advice.md: the recommendation with the evidence it rests on, for a reader who wants to check."""

from __future__ import annotations

from collections.abc import Sequence

from harness.advise.advice import Advice, UnitAdvice
from harness.advise.rule import THRESHOLD, rule_text
from harness.advise.words import cost_cells, how_sure, score_cell, where
from harness.report.fmt import fmt_float, md_table

__all__ = ["METHOD", "advice_markdown"]

METHOD = (
    "**How the numbers are made.** Evidence: the completed confirmation runs (search trials are "
    "not: each was chosen for its validation score). Learning curve: piecewise-linear in "
    "log(train size) between the studied sizes (two to four sizes cannot identify a "
    "three-parameter power law); outside them the line through the nearest two, labelled "
    "extrapolation. Uncertainty: a bootstrap of the runs, {draws} draws: each draw resamples a "
    "size's run keys (seed, data seed) and every strategy takes the runs with those keys, so "
    "runs stay paired across strategies; each draw's deviation from a cell's mean is stretched "
    "by sqrt(n/(n-1)) t(n-1)/z, so that with n = 3 runs a cell's interval is as wide as the "
    "t interval rather than about half of it. Intervals: central {level:.0f} % of the draws. "
    "P(within) is the share of draws in which the strategy scores at least the best strategy's "
    "score minus the margin; P(best) the share in which it scores highest. Costs: each "
    "strategy's mean training time and peak memory per studied size, interpolated in log-log; "
    "trainable parameters and checkpoint size as measured."
)


def _unit_section(unit: UnitAdvice, advice: Advice, title: str) -> list[str]:
    margin, n = advice.study.margin, advice.train_size
    rows = [
        [
            ("**" + s.strategy + "**") if s.strategy == unit.choice.strategy else s.strategy,
            score_cell(s),
            f"{s.p_within:.2f}",
            f"{s.p_best:.2f}",
            *cost_cells(s),
            s.position.text,
        ]
        for s in sorted(unit.strategies, key=lambda s: -s.score)
    ]
    header = [
        "strategy",
        f"score at {n} ({100 * advice.level:.0f} %)",
        "P(within)",
        "P(best)",
        "train time",
        "peak memory",
        "trainable params",
        "checkpoint",
        "from",
    ]
    e = unit.evidence
    out = [
        f"## {title}",
        f"**{unit.choice.strategy}**: {how_sure(unit, margin)}."
        + (f" Measured against **{e.rival}** (the most often best besides it)." if e.rival else ""),
        md_table(header, rows),
    ]
    if e.suspect:
        out.append(
            "***suspect***: flagged cells carry this recommendation: " + "; ".join(e.suspect) + "."
        )
    if e.unit_choices:
        out.append(
            f"Datasets agreeing with the pooled answer: {advice.agree} of {len(e.unit_choices)}: "
            + ", ".join(f"{u} → {c}" for u, c in e.unit_choices)
            + "."
        )
    else:
        cells = [
            [
                f"{c.strategy}@{c.train_size}",
                c.n_runs,
                fmt_float(c.mean, ".1f"),
                fmt_float(c.sd, ".2f"),
                "; ".join(c.flags) or "—",
            ]
            for c in e.cells
        ]
        out += [
            "Cells used (confirmation runs):",
            md_table(["cell", "runs", "mean", "sd", "trust flags"], cells),
        ]
    if e.verdicts:
        out.append("The report's verdicts at these sizes involving " + unit.choice.strategy + ":")
        out.append("\n".join(f"- {v}" for v in e.verdicts))
    if e.notes:
        out.append("\n".join(f"- note: {v}" for v in e.notes))
    return out


def advice_markdown(advice: Advice, figure: str | None, preface: Sequence[str] = ()) -> str:
    """The whole advice.md: rule, figure, pooled and per-unit sections, then the method."""
    study = advice.study
    parts = [f"# Advice: {study.name} at {advice.train_size} training examples"]
    if preface:
        parts.append("\n".join(f"    {line}" for line in preface))
    parts += [
        f"Source: `{study.source}`. Score: test {study.score_label}, in points. N: {where(advice)}.",
        f"**Rule**: {rule_text(study.margin, THRESHOLD)}. Margin: {study.margin:g} point(s), "
        f"from {study.margin_from}.",
        f"Costs are per training run at N on the study's machine: {study.machine}.",
    ]
    if figure:
        parts.append(f"![learning curves]({figure})")
    if advice.pooled:
        parts += _unit_section(advice.pooled, advice, "Pooled over the datasets")
    for unit in advice.units:
        parts += _unit_section(unit, advice, unit.label if advice.pooled else "Recommendation")
    parts.append(METHOD.format(draws=advice.n_draws, level=100 * advice.level))
    return "\n\n".join(parts) + "\n"
