"""The one screen a person reads in 20 seconds: the answer, how sure, each strategy's score and
cost at N, and where the evidence is."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from harness.advise.advice import Advice, UnitAdvice
from harness.advise.rule import rule_text
from harness.advise.words import cost_cells, how_sure, score_cell, where

__all__ = ["screen_text"]

_HEADER = (
    "strategy",
    "score at N (90 %)",
    "P(within)",
    "P(best)",
    "train time",
    "peak mem",
    "trainable",
    "checkpoint",
)


def _table(unit: UnitAdvice) -> list[str]:
    rows = [list(_HEADER)]
    ranked = sorted(unit.strategies, key=lambda s: -s.score)
    for s in ranked:
        mark = "> " if s.strategy == unit.choice.strategy else "  "
        rows.append(
            [
                mark + s.strategy,
                score_cell(s),
                f"{s.p_within:.2f}",
                f"{s.p_best:.2f}",
                *cost_cells(s),
            ]
        )
    rows[0][0] = "  " + rows[0][0]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _suspect(unit: UnitAdvice) -> str:
    """The flagged cells carrying the recommendation: in full when few, else counted by flag."""
    lines = unit.evidence.suspect
    if len(lines) <= 2:
        return f"*suspect*: flagged cells carry it: {'; '.join(lines)}."
    carrying = {unit.choice.strategy, unit.evidence.rival}
    names = Counter(
        flag.split(" ")[0]
        for c in unit.evidence.cells
        if c.strategy in carrying
        for flag in c.flags
    )
    counted = ", ".join(f"{name} {k}" for name, k in names.most_common())
    return f"*suspect*: {len(lines)} flagged cells carry it ({counted}); advice.md lists them."


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=indent, subsequent_indent=indent)


def screen_text(advice: Advice, out_dir: Path | None = None) -> str:
    """The recommendation first, then the table it comes from, then the caveats in one line each."""
    study, head, n = advice.study, advice.headline, advice.train_size
    per_cell = study.runs.groupby(["unit", "strategy", "train_size"]).size()
    low, high = int(per_cell.min()), int(per_cell.max())
    runs = f"{low}" if low == high else f"{low}-{high}"
    scope = f"{len(advice.units)} datasets, pooled; " if advice.pooled else f"{head.label}; "
    scope = "" if scope == f"{study.name}; " else scope
    lines = [
        f"harness advise: {study.name} ({scope}test {study.score_label} in points) at "
        f"train_size={n}",
        *_wrap(f"N: {where(advice)}; {runs} confirmation runs per cell.", ""),
        "",
        f"RECOMMENDATION: {head.choice.strategy}",
        *_wrap(how_sure(head, study.margin) + "."),
    ]
    if advice.pooled:
        picks = ", ".join(f"{u.label}: {u.choice.strategy}" for u in advice.units)
        lines += _wrap(f"Datasets agreeing: {advice.agree} of {len(advice.units)} ({picks}).")
    if head.evidence.suspect:
        lines += _wrap(_suspect(head))
    lines += _wrap(f"Rule: {rule_text(study.margin)}. Margin from {study.margin_from}.")
    lines += ["", *_table(head)]
    lines += _wrap(
        f"P(within) = P(score >= best - {study.margin:g}). Costs: one training run at N on the "
        f"study's machine ({study.machine}).",
        "",
    )
    if out_dir is not None:
        lines.append(f"Evidence and learning curves: {out_dir / 'advice.md'}")
    return "\n".join(lines)
