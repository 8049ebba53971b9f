"""From a study and a training size N to advice: per study unit (dataset) and pooled.

Per unit: the paired bootstrap of every cell mean, the learning curve applied to every draw
(the predicted score at N with its interval), the cost at N, and the rule. Across units: each
unit's draws are averaged draw by draw (the units are resampled independently), the rule is
applied to that average, and the advice says how many units' own answers agree with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from harness.advise.cost import Cost, cost_at
from harness.advise.curve import Position, log_weights
from harness.advise.evidence import Evidence, gather_evidence, rival_of
from harness.advise.resample import CellDraws, interval, paired_draws
from harness.advise.rule import Choice, recommend
from harness.advise.study import Study

__all__ = ["LEVEL", "N_DRAWS", "Advice", "StrategyAdvice", "UnitAdvice", "advise"]

LEVEL = 0.9  # the intervals' coverage (and the t calibration of the bootstrap)
N_DRAWS = 2000  # bootstrap draws: the rule's probabilities to about +-0.01


@dataclass(frozen=True)
class StrategyAdvice:
    """One strategy at N: predicted score (points) with its interval, odds and cost."""

    strategy: str
    score: float
    low: float
    high: float
    p_within: float
    p_best: float
    position: Position
    cost: Cost


@dataclass(frozen=True)
class UnitAdvice:
    """The advice for one study unit (a dataset), or the pooled advice across units."""

    unit: str
    label: str
    strategies: list[StrategyAdvice]
    choice: Choice
    evidence: Evidence
    draws: np.ndarray = field(repr=False)  # (B, S) predicted scores at N

    def of(self, strategy: str) -> StrategyAdvice:
        return next(s for s in self.strategies if s.strategy == strategy)

    @property
    def chosen(self) -> StrategyAdvice:
        return self.of(self.choice.strategy)


@dataclass(frozen=True)
class Advice:
    """Everything `harness advise` says about one study at one training size."""

    study: Study
    train_size: int
    level: float
    units: list[UnitAdvice]
    pooled: UnitAdvice | None  # several units only
    agree: int  # units whose own recommendation is the pooled one (or the one unit's: 1)
    n_draws: int = N_DRAWS

    @property
    def headline(self) -> UnitAdvice:
        return self.pooled or self.units[0]


def _strategy_curve(cells: CellDraws, i: int, n: int) -> tuple[np.ndarray, float, Position]:
    """Strategy i's predicted score at n (draws and point estimate) from the sizes it ran at."""
    have = [k for k in range(len(cells.sizes)) if cells.counts[i, k] > 0]
    w, position = log_weights([cells.sizes[k] for k in have], n)
    return cells.draws[:, i, have] @ w, float(cells.means[i, have] @ w), position


def _decide(
    draws: np.ndarray,
    names: list[str],
    points: list[float],
    positions: list[Position],
    costs: list[Cost],
    margin: float,
) -> tuple[Choice, list[StrategyAdvice]]:
    """The rule applied to draws (draw x strategy) at N, and each strategy's row."""
    times, params = [c.train_time_s for c in costs], [c.trainable_params for c in costs]
    choice = recommend(draws, names, times, params, margin)
    rows = []
    for i, name in enumerate(names):
        low, high = interval(draws[:, i], LEVEL)
        rows.append(
            StrategyAdvice(
                strategy=name,
                score=points[i],
                low=low,
                high=high,
                p_within=choice.p_within[name],
                p_best=choice.p_best[name],
                position=positions[i],
                cost=costs[i],
            )
        )
    return choice, rows


def _unit(study: Study, unit: str, n: int, n_draws: int, rng: np.random.Generator) -> UnitAdvice:
    runs = study.runs[study.runs["unit"] == unit]
    strategies = sorted(set(runs["strategy"]))
    sizes = sorted({int(s) for s in runs["train_size"]})
    cells = paired_draws(runs, strategies, sizes, n_draws, LEVEL, rng)
    curves = [_strategy_curve(cells, i, n) for i in range(len(strategies))]
    draws = np.stack([c[0] for c in curves], axis=1)
    positions = [c[2] for c in curves]
    costs = [cost_at(runs[runs["strategy"] == s], n) for s in strategies]
    choice, found = _decide(
        draws, strategies, [c[1] for c in curves], positions, costs, study.margin
    )
    evidence = gather_evidence(study, unit, cells, positions, choice, found)
    return UnitAdvice(unit, study.label(unit), found, choice, evidence, draws)


def _mean_cost(costs: list[Cost]) -> Cost:
    def mean(name: str) -> float:
        values = [getattr(c, name) for c in costs if math.isfinite(getattr(c, name))]
        return float(np.mean(values)) if values else math.nan

    return Cost(*(mean(k) for k in Cost.__dataclass_fields__))


def _pooled_evidence(units: Sequence[UnitAdvice], chosen: str, rival: str | None) -> Evidence:
    """Pooled advice rests on every unit's cells of the chosen strategy and its rival."""
    carrying = {chosen, rival} - {None}
    suspect = [f"{u.label}: {line}" for u in units for line in u.evidence.flag_lines(carrying)]
    notes = sorted({note for u in units for note in u.evidence.notes})
    choices = [(u.label, u.choice.strategy) for u in units]
    cells = [c for u in units for c in u.evidence.cells if c.strategy in carrying]
    return Evidence(cells, rival, [], suspect, notes, choices)


def _pooled(study: Study, units: list[UnitAdvice]) -> UnitAdvice | None:
    """Average the units' predictions draw by draw over the strategies every unit ran."""
    if len(units) < 2:
        return None
    common = sorted(set.intersection(*({s.strategy for s in u.strategies} for u in units)))
    if not common:
        return None
    cols = [[[s.strategy for s in u.strategies].index(c) for c in common] for u in units]
    draws = np.mean([u.draws[:, idx] for u, idx in zip(units, cols, strict=True)], axis=0)
    costs = [_mean_cost([u.of(c).cost for u in units]) for c in common]
    points = [float(np.mean([u.of(c).score for u in units])) for c in common]
    positions = [units[0].of(c).position for c in common]
    choice, found = _decide(draws, common, points, positions, costs, study.margin)
    evidence = _pooled_evidence(
        units, choice.strategy, rival_of(choice, {s.strategy: s.score for s in found})
    )
    return UnitAdvice("", f"pooled over {len(units)}", found, choice, evidence, draws)


def advise(study: Study, train_size: int, n_draws: int = N_DRAWS, seed: int = 0) -> Advice:
    """The advice for `study` at `train_size`: per unit, pooled, and how far the units agree."""
    if train_size <= 0:
        raise ValueError("train_size must be > 0")
    rng = np.random.default_rng(seed)
    units = [_unit(study, u, train_size, n_draws, rng) for u in study.units]
    pooled = _pooled(study, units)
    answer = (pooled or units[0]).choice.strategy
    agree = sum(u.choice.strategy == answer for u in units)
    return Advice(study, train_size, LEVEL, units, pooled, agree, n_draws)
