"""Size a pilot study to a wall-clock budget from what one trial costs on this machine.

The grid is fixed by the question (full, LoRA, BitFit and a linear probe, at the user's size and
a nested smaller one); what the budget buys is, in this order: a step budget long enough for
full fine-tuning to plateau (the default study's 240 steps, cut only when nothing else fits), a
few learning-rate configurations per cell (the one hyperparameter that decides a strategy's
score), and then as many confirmation runs as the rest allows (they are the evidence advise
rests on: at least 3, or the intervals say nothing). The sweep may add runs beyond the plan
while its deadline allows (see sweepfile.py).

Estimates are deliberately pessimistic (every run is charged its full step budget, although
plateau stopping and pruning end many sooner); the pilot also runs under a hard deadline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.budget import EVALS_PER_RUN  # `eval_every_steps: auto` validates about this often
from harness.errors import ConfigError

__all__ = [
    "MAX_SEEDS",
    "MIN_SEEDS",
    "PILOT_STRATEGIES",
    "PilotPlan",
    "TrialCost",
    "plan_pilot",
    "smaller_size",
]

PILOT_STRATEGIES = ("full", "lora", "bitfit", "head_only")
STEP_OPTIONS = (240, 160, 120, 80)  # optimizer steps per run, longest first
SEARCH_OPTIONS = (4, 3, 2)  # learning-rate configurations per cell, most first
MIN_SEEDS, MAX_SEEDS = 3, 10  # confirmation runs per cell
PARALLEL_EFFICIENCY = 0.8  # assumed: workers sharing a machine's memory bandwidth each run slower


@dataclass(frozen=True)
class TrialCost:
    """One strategy's measured costs on this machine (seconds)."""

    step_s: float  # one optimizer step (forward, backward, update) at the pilot's batch size
    eval_s: float  # one validation pass
    fixed_s: float  # per run: model load, tokenization, test evaluation, record
    cache_s: float = 0.0  # per cell, once: building the frozen-prefix cache (frozen encoders)

    def run_s(self, steps: int) -> float:
        """One run at `steps` optimizer steps, with its validations."""
        return self.fixed_s + steps * self.step_s + EVALS_PER_RUN * self.eval_s


@dataclass(frozen=True)
class PilotPlan:
    """What fits: the grid, the step budget, configurations and confirmation runs per cell."""

    strategies: tuple[str, ...]
    sizes: tuple[int, ...]
    max_steps: int
    n_trials: int  # learning-rate configurations searched per cell
    seeds: int  # confirmation runs per cell
    workers: int
    estimate_s: float  # predicted wall time of the whole pilot sweep
    available_s: float  # what the budget left for it

    @property
    def cells(self) -> int:
        return len(self.strategies) * len(self.sizes)

    def describe(self) -> str:
        return (
            f"{len(self.strategies)} strategies x sizes {'/'.join(map(str, self.sizes))}: per cell "
            f"{self.n_trials} learning rates searched, then {self.seeds} confirmation runs; "
            f"{self.max_steps} steps per run, {self.workers} worker(s); estimated "
            f"{self.estimate_s / 60:.1f} min of the {self.available_s / 60:.1f} min available"
        )


def smaller_size(n: int) -> int | None:
    """The nested smaller size: a third of N (the default study's 100/300/1000 spacing), at
    least 16 examples; None when N is too small to have one."""
    small = max(16, n // 3)
    return small if small < n else None


def _wall_s(
    costs: Mapping[str, TrialCost],
    strategies: Sequence[str],
    n_sizes: int,
    steps: int,
    runs_per_cell: int,
    workers: int,
) -> float:
    """Wall time of the trials: every cell's runs (and cache builds) spread over the workers."""
    work = sum(
        n_sizes * (runs_per_cell * costs[s].run_s(steps) + costs[s].cache_s) for s in strategies
    )
    efficiency = 1.0 if workers == 1 else PARALLEL_EFFICIENCY
    return work / (workers * efficiency)


def plan_pilot(
    available_s: float,
    costs: Mapping[str, TrialCost],
    sizes: Sequence[int],
    workers: int = 1,
    start_s: float = 0.0,
    strategies: Sequence[str] = PILOT_STRATEGIES,
) -> PilotPlan:
    """The largest pilot whose sweep fits `available_s` seconds (`start_s` of them before the
    first trial): the longest step budget, then the most configurations, then the most
    confirmation runs (3..10). ConfigError naming --budget when even the smallest does not fit."""
    missing = [s for s in strategies if s not in costs]
    if missing:
        raise ValueError(f"no measured cost for {', '.join(missing)}")

    def wall(steps: int, runs: int) -> float:
        return start_s + _wall_s(costs, strategies, len(sizes), steps, runs, workers)

    for steps in STEP_OPTIONS:
        for n_trials in SEARCH_OPTIONS:
            fits = [
                r
                for r in range(MIN_SEEDS, MAX_SEEDS + 1)
                if wall(steps, n_trials + r) <= available_s
            ]
            if fits:
                seeds = max(fits)
                estimate = wall(steps, n_trials + seeds)
                return PilotPlan(
                    tuple(strategies),
                    tuple(sorted(sizes)),
                    steps,
                    n_trials,
                    seeds,
                    workers,
                    estimate,
                    available_s,
                )
    smallest = wall(STEP_OPTIONS[-1], SEARCH_OPTIONS[-1] + MIN_SEEDS)
    raise ConfigError(
        "--budget",
        f"too small on this machine: the smallest pilot ({len(strategies)} strategies x "
        f"{len(sizes)} sizes, {STEP_OPTIONS[-1]} steps, {SEARCH_OPTIONS[-1]} configurations + "
        f"{MIN_SEEDS} runs per cell) needs about {math.ceil(smallest / 60)} min after measuring, "
        f"{max(available_s, 0) / 60:.1f} min were left; give a larger --budget, or model=... a "
        "smaller model",
    )
