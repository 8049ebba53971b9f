"""Simulated studies of one training size, run through the analysis exactly as the sweep and the
report run it: blocks of runs shared by every strategy, 4 blocks first, then a draw (2 blocks) at
a time for full and every strategy still undecided, until decided, at the plan's maximum or at a
budget that ends after a given number of rounds; `decide_size` decides at every round.

A `rule` can replace `decide_size` (the naive rules the tests must show to be wrong)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from harness.stats import LookPlan, block_frame, decide_size

PLAN = LookPlan(n_min=4, n_max=10, spending="obf", step=2)
MARGIN, ALPHA = 2.0, 0.05
STRATEGIES = ("full", "a", "b", "c", "d")

Rule = Callable[[pd.DataFrame], dict[str, str]]


@dataclass(frozen=True)
class Truth:
    """One size's truth: each strategy's mean gap to full (points) and run-noise sd (points)."""

    gaps: Sequence[float]  # a, b, c, d minus full
    sds: Sequence[float]  # full, a, b, c, d
    block_sd: float = 2.0  # shared luck of a (seed, subset) block
    tails: str = "normal"  # normal | t3 (heavy-tailed run noise, same sd)


def decide(frame: pd.DataFrame) -> dict[str, str]:
    """The harness's own rule."""
    return {s: c.verdict for s, c in decide_size(frame, PLAN, MARGIN, ALPHA).comparisons.items()}


def naive_paired(frame: pd.DataFrame) -> dict[str, str]:
    """A naive rule: per-comparison paired t-test and TOST at the plain alpha at every look, no
    correction for the looks or for the other comparisons."""
    wide = frame.pivot_table(index="block", columns="strategy", values="score")
    out = {}
    for s in wide.columns.drop("full"):
        d = (wide[s] - wide["full"]).dropna().to_numpy()
        n = len(d)
        se = d.std(ddof=1) / math.sqrt(n)
        tost = max(
            stats.t.sf((d.mean() + MARGIN) / se, n - 1),
            stats.t.cdf((d.mean() - MARGIN) / se, n - 1),
        )
        p = 2 * stats.t.sf(abs(d.mean()) / se, n - 1)
        out[s] = (
            "equivalent"
            if tost <= ALPHA
            else ("better" if d.mean() > 0 else "worse")
            if p <= ALPHA
            else "undecided"
        )
    return out


def _noise(rng: np.random.Generator, tails: str, size: int) -> np.ndarray:
    if tails == "t3":  # unit variance: t with 3 df has variance 3
        return rng.standard_t(3, size=size) / math.sqrt(3)
    return rng.standard_normal(size)


def run_study(
    rng: np.random.Generator, truth: Truth, rounds: int, rule: Rule = decide
) -> dict[str, str]:
    """One sequential study; `rounds`: the budget's number of added draws (0: stop at n_min)."""
    means = dict(zip(STRATEGIES, [0.0, *truth.gaps], strict=True))
    sds = dict(zip(STRATEGIES, truth.sds, strict=True))
    runs: dict[str, dict[int, float]] = {s: {} for s in STRATEGIES}

    def add(block: int, who: Sequence[str]) -> None:
        luck = truth.block_sd * rng.standard_normal()
        for s in who:
            runs[s][block] = means[s] + luck + sds[s] * _noise(rng, truth.tails, 1)[0]

    for k in range(PLAN.n_min):
        add(k, STRATEGIES)
    n, used = PLAN.n_min, 0
    while True:
        verdicts = rule(block_frame(runs))
        open_ = [s for s, v in verdicts.items() if v == "undecided"]
        if not open_ or n >= PLAN.n_max or used >= rounds:
            return verdicts
        for k in range(n, n + PLAN.step):
            add(k, ["full", *open_])
        n, used = n + PLAN.step, used + 1


def wrong(verdicts: dict[str, str], truth: Truth) -> bool:
    """Any false verdict at the size: a direction the truth does not have, or 'equivalent' for a
    gap at or beyond the margin."""
    gaps = dict(zip(STRATEGIES[1:], truth.gaps, strict=True))
    for s, v in verdicts.items():
        g = gaps[s]
        if (v == "better" and g <= 0) or (v == "worse" and g >= 0):
            return True
        if v == "equivalent" and abs(g) >= MARGIN:
            return True
    return False


def error_rate(truth: Truth, studies: int, seed: int, rule: Rule = decide) -> float:
    """Share of simulated studies with any false verdict; budgets of 0-3 added draws in turn."""
    rng = np.random.default_rng(seed)
    return sum(wrong(run_study(rng, truth, i % 4, rule), truth) for i in range(studies)) / studies
