"""What each strategy costs at N on the study's machine, from its confirmation runs.

Training time and peak memory are interpolated between studied sizes like the score, but on
log(value) against log(n): a cost is positive and grows roughly as a power of n, and a straight
line in log-log space cannot extrapolate below zero. Trainable parameters and the checkpoint
size do not depend on n: the median over the strategy's runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.advise.curve import log_weights

__all__ = ["Cost", "cost_at"]


@dataclass(frozen=True)
class Cost:
    """One strategy's predicted cost of one training run at N."""

    train_time_s: float  # training loop incl. validation, on the study's machine
    wall_time_s: float  # the whole trial: model load, training, test evaluation
    peak_memory_mb: float
    trainable_params: float
    checkpoint_mb: float  # what must be saved: the trained tensors


def _loglog(sizes: Sequence[int], values: Sequence[float], n: float) -> float:
    """Piecewise-linear log(value) in log(n) over the sizes with a positive value."""
    pairs = [(s, v) for s, v in zip(sizes, values, strict=True) if v > 0 and math.isfinite(v)]
    if not pairs:
        return math.nan
    w, _ = log_weights([s for s, _ in pairs], n)
    return float(math.exp(np.log([v for _, v in pairs]) @ w))


def cost_at(runs: pd.DataFrame, n: float) -> Cost:
    """The cost at `n` of one strategy from its runs (all sizes of one study unit)."""
    per_size = runs.groupby("train_size")[["train_time_s", "wall_time_s", "peak_memory_mb"]].mean()
    sizes = [int(s) for s in per_size.index]

    def at(column: str) -> float:
        return _loglog(sizes, list(per_size[column].astype(float)), n)

    return Cost(
        train_time_s=at("train_time_s"),
        wall_time_s=at("wall_time_s"),
        peak_memory_mb=at("peak_memory_mb"),
        trainable_params=float(runs["trainable_params"].astype(float).median()),
        checkpoint_mb=float(runs["checkpoint_mb"].astype(float).median()),
    )
