"""Phrases the screen and advice.md share, so both say the same thing the same way."""

from __future__ import annotations

from harness.advise.advice import Advice, StrategyAdvice, UnitAdvice
from harness.advise.rule import THRESHOLD
from harness.report.fmt import fmt_count, fmt_num, fmt_points, fmt_seconds

__all__ = ["cost_cells", "how_sure", "score_cell", "where"]


def how_sure(unit: UnitAdvice, margin: float) -> str:
    """Why this strategy, in one sentence with the probability that carries it."""
    c = unit.choice
    if c.by == "within_margin":
        p = c.p_within[c.strategy]
        return (
            f"Sure: within {fmt_points(margin)} of the best with probability {p:.2f} "
            f"(>= {THRESHOLD:g}), and the cheapest strategy that is"
        )
    return (
        f"NOT sure: no strategy is within {fmt_points(margin)} of the best with probability "
        f">= {THRESHOLD:g}; {c.strategy} is the most often best (P(best) {c.p_best[c.strategy]:.2f}); "
        "more confirmation runs would narrow it"
    )


def score_cell(s: StrategyAdvice) -> str:
    return f"{s.score:.1f} ({s.low:.1f} to {s.high:.1f})"


def cost_cells(s: StrategyAdvice) -> list[str]:
    """Training time, peak memory, trainable parameters, checkpoint size."""
    c = s.cost
    return [
        fmt_seconds(c.train_time_s),
        f"{fmt_num(c.peak_memory_mb)} MB",
        fmt_count(c.trainable_params),
        f"{fmt_num(c.checkpoint_mb)} MB",
    ]


def where(advice: Advice) -> str:
    """Where N sits against the studied sizes (the strategies' positions, when they agree)."""
    texts = sorted({s.position.text for u in advice.units for s in u.strategies})
    return texts[0] if len(texts) == 1 else "; ".join(texts[:3])
