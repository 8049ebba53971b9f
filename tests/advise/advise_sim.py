"""Simulated studies with known truth (not a test module): runs drawn from given learning curves
plus run noise, as a sweep's confirmation phase would produce them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["COSTS", "SIZES", "simulate_runs"]

SIZES = (100, 300, 1000)
# strategy: (training seconds at 100 examples, trainable params); time grows as n^0.3
COSTS = {
    "full": (60.0, 22_000_000),
    "lora": (45.0, 75_000),
    "bitfit": (35.0, 26_000),
    "head_only": (1.0, 770),
}


def simulate_runs(
    truth: Mapping[str, Sequence[float]],
    rng: np.random.Generator,
    runs: int = 10,
    paired_sd: float = 2.0,
    noise_sd: float = 1.0,
    sizes: Sequence[int] = SIZES,
) -> pd.DataFrame:
    """One study's confirmation runs: score = truth(size) + run effect (shared by every strategy
    run with that key at that size: the same subset and seed) + the run's own noise (points)."""
    rows = []
    for k, size in enumerate(sizes):
        effects = rng.normal(0.0, paired_sd, runs)
        for strategy, curve in truth.items():
            noise = rng.normal(0.0, noise_sd, runs)
            seconds, params = COSTS[strategy]
            for r in range(runs):
                rows.append(
                    {
                        "unit": "",
                        "strategy": strategy,
                        "train_size": size,
                        "seed": r,
                        "data_seed": r,
                        "score": curve[k] + effects[r] + noise[r],
                        "train_time_s": seconds * (size / 100) ** 0.3 * rng.uniform(0.9, 1.1),
                        "wall_time_s": seconds * (size / 100) ** 0.3 + 5.0,
                        "peak_memory_mb": 2000.0,
                        "trainable_params": params,
                        "checkpoint_mb": params * 4 / 2**20,
                    }
                )
    return pd.DataFrame(rows)
