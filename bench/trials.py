"""Harness trials for the bench: full fine-tuning, and the cacheable strategies with and without
the frozen-prefix cache (cold: the cache is built inside the trial; cell: a later trial of a
sweep cell finds it in harness.cache's store and is charged its share of the build)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from bench.workload import Workload, clear_caches
from harness.config import load_spec
from harness.trial import run_trial

__all__ = ["cache_variants", "harness_trial"]

KEEP = (
    "status",
    "strategy",
    "train_size",
    "epochs",
    "epochs_run",
    "train_time_s",
    "cache_time_s",
    "cache_build_s",
    "cache_share_s",
    "cache_hit",
    "frozen_prefix",
    "train_samples_per_s",
    "wall_time_s",
    "val_accuracy",
)


def harness_trial(work: Workload, out: Path, extra: Sequence[str] = ()) -> dict[str, Any]:
    """One `run_trial` on the workload; returns the record's timing facts."""
    spec = load_spec([*work.overrides(), f"out={out}", *extra])
    rec, path = run_trial(spec)
    if rec["status"] != "completed":
        raise RuntimeError(f"bench trial {extra} ended {rec['status']}: {rec.get('error')}")
    facts = {k: rec.get(k) for k in KEEP}
    facts.update(record=str(path), threads=torch.get_num_threads())
    return facts


def cache_variants(
    work: Workload, out: Path, strategy: list[str], cell_runs: int
) -> dict[str, dict[str, Any]]:
    """Uncached; a standalone trial with a cold cache (it builds the cache and is charged all of
    it); and a trial of a sweep cell whose `cell_runs` runs share that cache (charged 1/cell_runs
    of the build, the cell's own accounting: `train.cache_users`)."""
    results = {}
    clear_caches()
    results["uncached"] = harness_trial(work, out, [*strategy, "train.cache_frozen=false"])
    clear_caches()
    results["cached_cold"] = harness_trial(work, out, [*strategy, "train.cache_frozen=true"])
    results["cached_cell"] = harness_trial(
        work, out, [*strategy, "train.cache_frozen=true", f"train.cache_users={cell_runs}"]
    )
    if not results["cached_cell"]["cache_hit"] or results["cached_cold"]["cache_hit"]:
        raise RuntimeError(f"{strategy}: cache hit pattern unexpected: {results}")
    clear_caches()
    return results
