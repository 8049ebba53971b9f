"""What a recommendation rests on: the cells, the report's verdicts there, and the trust flags.

A recommendation compares the chosen strategy with its closest rival (the strategy most often
best besides it), so the cells that carry it are both strategies' cells at the studied sizes the
prediction at N uses. A trust flag on one of those cells makes the recommendation *suspect*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from harness.advise.curve import Position
from harness.advise.resample import CellDraws
from harness.advise.rule import Choice
from harness.advise.study import Study

__all__ = ["CellFact", "Evidence", "gather_evidence", "rival_of"]


class Predicted(Protocol):
    """A strategy's prediction at N as the evidence reads it (`advice.StrategyAdvice`)."""

    @property
    def strategy(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def position(self) -> Position: ...


@dataclass(frozen=True)
class CellFact:
    """One studied cell a prediction uses: its runs, mean and spread (points), and its flags."""

    strategy: str
    train_size: int
    n_runs: int
    mean: float
    sd: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """The cells, verdicts and flags behind one unit's (or the pooled) recommendation."""

    cells: list[CellFact]
    rival: str | None
    verdicts: list[str] = field(default_factory=list)
    suspect: list[str] = field(default_factory=list)  # flagged cells carrying the recommendation
    notes: list[str] = field(default_factory=list)
    unit_choices: list[tuple[str, str]] = field(default_factory=list)  # pooled: (unit, choice)

    def flag_lines(self, strategies: set[str | None]) -> list[str]:
        return [
            f"{c.strategy}@{c.train_size} {'; '.join(c.flags)}"
            for c in self.cells
            if c.flags and c.strategy in strategies
        ]


def rival_of(choice: Choice, scores: dict[str, float]) -> str | None:
    """The strategy the chosen one is measured against: the most often best besides it (ties:
    the more often within the margin, then the higher predicted score)."""
    others = [s for s in choice.p_best if s != choice.strategy]
    if not others:
        return None
    return max(others, key=lambda s: (choice.p_best[s], choice.p_within[s], scores.get(s, 0.0)))


def _verdict_lines(study: Study, unit: str, chosen: str, sizes: Sequence[int]) -> list[str]:
    """The report's verdicts involving the chosen strategy at the sizes the prediction uses."""
    table = study.verdicts
    if table is None or table.empty:
        return []
    rows = table[
        (table["group"] == unit)
        & table["train_size"].isin(list(sizes))
        & ((table["strategy"] == chosen) | (table["reference"] == chosen))
    ]
    lines = []
    for r in rows.itertuples():
        diff, low, high = (float(getattr(r, k)) for k in ("diff", "ci_low", "ci_high"))
        ci = "" if math.isnan(low) else f" (CI {low:+.1f} to {high:+.1f})"
        lines.append(
            f"{r.family} @{int(r.train_size)}: {r.strategy} - {r.reference} "
            f"{diff:+.1f} points{ci}: {r.verdict}"
        )
    return lines


def gather_evidence(
    study: Study,
    unit: str,
    cells: CellDraws,
    positions: Sequence[Position],
    choice: Choice,
    found: Sequence[Predicted],
) -> Evidence:
    """The cells each prediction uses, the report's verdicts there, flags and caveats."""
    facts = []
    for i, (strategy, position) in enumerate(zip(cells.strategies, positions, strict=True)):
        for size in position.sizes:
            k = cells.sizes.index(size)
            flags = tuple(study.flags.get((unit, strategy, size), ()))
            facts.append(
                CellFact(
                    strategy,
                    size,
                    int(cells.counts[i, k]),
                    float(cells.means[i, k]),
                    float(cells.sds[i, k]),
                    flags,
                )
            )
    rival = rival_of(choice, {s.strategy: s.score for s in found})
    chosen_at = positions[cells.strategies.index(choice.strategy)].sizes
    notes = [
        f"{c.strategy}@{c.train_size}: one run, no spread measured (its draws do not vary)"
        for c in facts
        if c.n_runs == 1
    ]
    notes += sorted(
        {f"{s.strategy}: {s.position.text}" for s in found if s.position.kind == "extrapolation"}
    )
    return Evidence(
        facts,
        rival,
        _verdict_lines(study, unit, choice.strategy, chosen_at),
        Evidence(facts, rival).flag_lines({choice.strategy, rival}),
        notes,
    )
