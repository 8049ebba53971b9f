"""The pilot plan as a sweep file the existing sweep machinery runs (and resumes) unchanged.

Only keys that exist in sweep files today; when sweeps learn a `budget:` section this is the
one function to switch to it. Confirmation is sequential (`confirm.seeds: {min, max}`): the
planned runs per cell, then more where a comparison with full is undecided, until the pilot's
deadline stops the sweep -- so a budget the plan over-estimated still goes to the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.advise.pilot.plan import MAX_SEEDS, PilotPlan

__all__ = ["LR_RANGES", "pilot_sweep"]

# Learning-rate ranges per strategy (log scale), as in sweeps/default.yaml: partial strategies
# want larger rates, a linear probe the largest.
LR_RANGES = {
    "full": (1.0e-5, 5.0e-4),
    "top_k": (3.0e-5, 3.0e-3),
    "lora": (1.0e-4, 1.0e-2),
    "bitfit": (1.0e-4, 1.0e-2),
    "head_only": (1.0e-3, 3.0e-1),
}


def _lr(strategy: str) -> dict[str, Any]:
    low, high = LR_RANGES.get(strategy, LR_RANGES["full"])
    return {"lr": {"low": low, "high": high, "log": True}}


def pilot_sweep(
    plan: PilotPlan,
    name: str,
    data: Sequence[str],
    out: Path,
    metric: str = "val_accuracy",
    margin: float | None = None,
) -> dict[str, Any]:
    """The sweep file: `data` are the dataset overrides (model=, dataset=local, paths, columns)."""
    seeds: Any = plan.seeds if plan.seeds >= MAX_SEEDS else {"min": plan.seeds, "max": MAX_SEEDS}
    sweep: dict[str, Any] = {
        "name": name,
        "description": f"harness advise pilot: {plan.describe()}",
        "base": [
            *data,
            "optimizer=adamw",
            "scheduler=linear",
            "head=linear",
            f"train.max_steps={plan.max_steps}",
            f"train.min_steps={max(1, plan.max_steps // 5)}",
            "train.drift_examples=0",  # the pilot measures scores and costs, not drift
            "regularization.early_stopping_patience=5",
        ],
        "grid": {"strategy": list(plan.strategies), "train_size": list(plan.sizes)},
        "search": {
            "n_trials": plan.n_trials,
            "metric": metric,
            "space": _lr("full"),
            "strategy_space": {s: _lr(s) for s in plan.strategies if s != "full"},
            "sampler": {"name": "qmc", "seed": 0, "scramble": True},
            "pruner": {"name": "successive_halving", "warmup_share": 0.2, "reduction_factor": 3},
        },
        "confirm": {
            # the planned runs first; then, while the deadline allows, more where a comparison
            # with full is still undecided (the sweep's sequential design), up to MAX_SEEDS
            "seeds": seeds,
            # run k draws its own training subset, shared (paired) by every strategy
            "data_seeds": list(range(MAX_SEEDS)),
            "reuse_search_run": False,
        },
        "workers": plan.workers,
        "tracker": {"name": "none"},
        "out": str(out),
    }
    if margin is not None:
        sweep["report"] = {"margin": margin}
    return sweep
