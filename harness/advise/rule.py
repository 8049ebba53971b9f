"""The recommendation rule: the cheapest strategy that is, with high probability, as good as the
best within the margin; when none is, the strategy most often best.

Both probabilities come from the same bootstrap draws as the intervals, so they account for the
run-to-run noise and the pairing of runs across strategies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["THRESHOLD", "Choice", "recommend", "rule_text"]

THRESHOLD = 0.9  # probability of being within the margin of the best that makes a strategy "safe"


@dataclass(frozen=True)
class Choice:
    """The recommended strategy, by which branch of the rule, with every strategy's odds."""

    strategy: str
    by: str  # within_margin | most_often_best
    p_within: dict[str, float]  # P(score_s >= max_t score_t - margin)
    p_best: dict[str, float]  # P(s scores highest)


def rule_text(margin: float, threshold: float = THRESHOLD) -> str:
    return (
        "the cheapest strategy (predicted training time at N; ties by trainable parameters) whose "
        f"score is within {margin:g} point{'s' if margin != 1 else ''} of the best strategy's "
        f"with probability >= {threshold:g}; if none is, the strategy most often best"
    )


def _cost_order(
    strategies: Sequence[str], train_time_s: Sequence[float], params: Sequence[float]
) -> list[int]:
    """Cheapest first; an unknown cost sorts last."""

    def key(i: int) -> tuple[float, float, str]:
        t, p = float(train_time_s[i]), float(params[i])
        return (
            t if math.isfinite(t) else math.inf,
            p if math.isfinite(p) else math.inf,
            strategies[i],
        )

    return sorted(range(len(strategies)), key=key)


def recommend(
    draws: np.ndarray,
    strategies: Sequence[str],
    train_time_s: Sequence[float],
    params: Sequence[float],
    margin: float,
    threshold: float = THRESHOLD,
) -> Choice:
    """Apply the rule to draws of the predicted score at N, axes (draw, strategy), in points."""
    best = np.max(draws, axis=1, keepdims=True)
    within = np.mean(draws >= best - margin, axis=0)
    winner = np.argmax(draws, axis=1)  # ties: the first strategy in order
    p_best = np.bincount(winner, minlength=len(strategies)) / len(draws)
    order = _cost_order(strategies, train_time_s, params)
    safe = [i for i in order if within[i] >= threshold]
    if safe:
        chosen, by = safe[0], "within_margin"
    else:
        top = max(p_best)
        chosen, by = next(i for i in order if p_best[i] == top), "most_often_best"
    return Choice(
        strategy=strategies[chosen],
        by=by,
        p_within={s: float(within[i]) for i, s in enumerate(strategies)},
        p_best={s: float(p_best[i]) for i, s in enumerate(strategies)},
    )
