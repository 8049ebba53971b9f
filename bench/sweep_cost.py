"""What a finished sweep cost, against what a naive sweep would have cost.

Naive = every configuration the sweep tried (search trials and confirmation runs) trained to its
full step budget, in fp32, without the frozen-prefix cache. Per trial record (records/**/*.json):

- actual = wall_time_s (which holds any cache build the trial actually did); a confirmation record
  with `reused_from` (the selected search run standing in for seed 0) counts 0: it was not re-run.
- naive = overhead + uncached_train x to_budget x fp32, where
  - overhead = wall_time_s - training time (model load, tokenization, final evaluation), training
    time being train_time_s - cache_share_s + cache_time_s; for a pruned trial (which never
    reached the final evaluation) the median overhead of the completed trials of its
    (strategy, train_size), else its own;
  - to_budget = planned_steps / optimizer_steps (pruned and plateau-stopped trials alike: naive
    trains every configuration to its budget); old epoch-budget records: epochs / epochs_run;
  - uncached_train = train_time_s for a trial that ran without a cache (frozen_prefix "none":
    full, lora, ...); for a cached trial, s_full(n) x r(strategy) x samples, with s_full(n) =
    the median train_time_s per training example processed of the sweep's full trials at that
    train_size (else the bench's own full trial), samples = optimizer_steps x batch_size, and
    r(strategy) = uncached trial time of that strategy / full trial time, both measured by this
    bench (head_only, top_k). A cached strategy the bench did not measure is charged its actual
    time (no saving);
  - fp32 = the bench-measured fp32 / bf16 training time of the full trial for a trial that ran
    in bf16 (1 for fp32 trials).
- reused confirmation records count 0 on both sides of the headline ratio; the saving from
  reusing them is printed separately.
Process overhead outside trials (Optuna, study storage, Python start-up) is in neither sum.

What limits the ratio: it factors exactly into three savings applied in turn, each the ratio of
two sums over the trials run,
- steps not run = sum[overhead + trained x to_budget] / actual (pruning and plateau stops; a pruned
  trial also gains the final evaluation it skipped),
- bf16 = sum[overhead + trained x to_budget x fp32] / the sum before,
- cache = naive / the sum before (cached trials at their uncached time),
and two shares of the actual compute bound what any saving can reach: the share spent in trials
no cache serves (frozen_prefix "none": full, LoRA, BitFit, ...; only stopping and bf16 act on
it), and the share outside training (set-up, final evaluation), which no saving touches.
"""

from __future__ import annotations

import itertools
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

__all__ = ["FORMULA", "load_records", "sweep_cost"]

FORMULA = (
    "naive = sum over trials run of [overhead + uncached_train x to_budget x fp32]; "
    "overhead = wall_time_s - train_time_s (pruned: median of completed trials in the cell); "
    "to_budget = planned_steps / optimizer_steps (every configuration trained to its budget); "
    "uncached_train = train_time_s if run uncached, else s_full(n) x r(strategy) x samples with "
    "s_full(n) = median full-trial train_time_s per training example at that n and r = "
    "bench-measured uncached strategy time / full time; fp32 = bench-measured fp32/bf16 time "
    "for bf16 trials; reused confirm records count 0"
)


def load_records(sweep_dir: Path) -> list[dict[str, Any]]:
    """Every record of a sweep folder, with its path relative to records/; or the rows of a
    report's records.csv (a committed study, for a clone that has not run it), `_path` from
    each row's cell."""
    if sweep_dir.suffix == ".csv":
        if not sweep_dir.is_file():
            return []
        import pandas as pd

        rows = pd.read_csv(sweep_dir).to_dict("records")
        clean = [{k: (None if v != v else v) for k, v in row.items()} for row in rows]  # NaN
        return [{**r, "_path": f"{r['cell_id']}/{r['phase']}"} for r in clean]
    root = sweep_dir / "records"
    out = []
    for path in sorted(root.glob("**/*.json")):
        rec = json.loads(path.read_text())
        rec["_path"] = str(path.relative_to(root))
        out.append(rec)
    return out


def _expected_cells(sweep_dir: Path) -> int | None:
    """Number of grid cells in the sweep file as run, if it is there."""
    path = sweep_dir / "sweep.yaml"
    if sweep_dir.suffix == ".csv" or not path.is_file():
        return None
    grid = OmegaConf.to_container(OmegaConf.load(path)).get("grid") or {}  # type: ignore[union-attr]
    return len(list(itertools.product(*grid.values()))) if grid else None


def _to_budget(rec: dict[str, Any]) -> float:
    """How much longer the trial would have trained run to its full budget (not pruned, not
    stopped on a plateau)."""
    if rec.get("optimizer_steps") and rec.get("planned_steps"):
        return rec["planned_steps"] / rec["optimizer_steps"]
    if rec.get("status") != "pruned":  # old epoch-budget records: early stopping not counted
        return 1.0
    if rec.get("epochs_run"):
        return rec["epochs"] / rec["epochs_run"]
    return (rec.get("planned_steps") or 1) / max(rec.get("steps") or 1, 1)


def _samples(rec: dict[str, Any]) -> float:
    """Training examples processed."""
    if rec.get("optimizer_steps") and rec.get("batch_size"):
        return float(rec["optimizer_steps"] * rec["batch_size"])
    return float(rec["train_size"] * (rec.get("epochs_run") or 0))


def _trained(rec: dict[str, Any]) -> float:
    """Seconds the trial spent training, with the cache build it actually did (not its share)."""
    train_s = rec.get("train_time_s") or 0.0
    return train_s - (rec.get("cache_share_s") or 0.0) + (rec.get("cache_time_s") or 0.0)


def _cached(rec: dict[str, Any]) -> bool:
    """Whether the trial trained on a frozen-prefix cache."""
    return rec.get("frozen_prefix", "none") not in (None, "none")


def _key(rec: dict[str, Any]) -> tuple[str, int]:
    return rec["strategy"], int(rec["train_size"])


def _full_rate(runs: list[dict[str, Any]]) -> dict[int, float]:
    """Median seconds per training example processed by the full trials, per train_size."""
    rates: dict[int, list[float]] = defaultdict(list)
    for r in runs:
        if r["strategy"] == "full" and r.get("train_time_s") and _samples(r):
            rates[int(r["train_size"])].append(r["train_time_s"] / _samples(r))
    return {n: statistics.median(v) for n, v in rates.items()}


def _overheads(runs: list[dict[str, Any]]) -> dict[tuple[str, int], float]:
    """Median non-training time of completed trials, per (strategy, train_size)."""
    by: dict[tuple[str, int], list[float]] = defaultdict(list)
    for r in runs:
        if r.get("status") == "completed" and r.get("train_time_s") is not None:
            by[_key(r)].append(r["wall_time_s"] - _trained(r))
    return {k: statistics.median(v) for k, v in by.items()}


def _hypothetical(
    rec: dict[str, Any],
    full_rate: dict[int, float],
    overheads: dict[tuple[str, int], float],
    uncached_vs_full: dict[str, float],
    bench_full_rate: float,
    bf16_speedup: float = 1.0,
) -> float:
    """Seconds this trial would have cost naively (see the module docstring)."""
    train_s = _trained(rec)
    overhead = rec["wall_time_s"] - train_s
    if rec.get("status") == "pruned":
        overhead = overheads.get(_key(rec), overhead)
    if _cached(rec) and rec["strategy"] in uncached_vs_full and _samples(rec):
        rate = full_rate.get(int(rec["train_size"]), bench_full_rate)
        train_s = rate * uncached_vs_full[rec["strategy"]] * _samples(rec)
    fp32 = bf16_speedup if rec.get("precision") == "bf16" else 1.0
    return overhead + train_s * _to_budget(rec) * fp32


def sweep_cost(
    sweep_dir: Path,
    uncached_vs_full: dict[str, float],
    bench_full_rate: float,
    bf16_speedup: float = 1.0,
) -> dict[str, Any] | None:
    """Actual vs hypothetical compute of a sweep folder; None if it has no records."""
    records = load_records(sweep_dir)
    if not records:
        return None
    runs = [r for r in records if not r.get("reused_from")]
    reused = [r for r in records if r.get("reused_from")]
    full_rate, overheads = _full_rate(runs), _overheads(runs)

    def hyp(r: dict[str, Any]) -> float:
        return _hypothetical(
            r, full_rate, overheads, uncached_vs_full, bench_full_rate, bf16_speedup
        )

    actual = sum(r["wall_time_s"] for r in runs)
    hypothetical = sum(hyp(r) for r in runs)
    stopped = sum(_hypothetical(r, full_rate, overheads, {}, bench_full_rate) for r in runs)
    in_bf16 = sum(
        _hypothetical(r, full_rate, overheads, {}, bench_full_rate, bf16_speedup) for r in runs
    )
    uncached_s = sum(r["wall_time_s"] for r in runs if not _cached(r))
    outside_s = sum(r["wall_time_s"] - _trained(r) for r in runs)
    with_reuse = hypothetical + sum(hyp(r) for r in reused)
    cells = {r["_path"].split("/")[0] for r in records}
    return {
        "sweep_dir": str(sweep_dir),
        "records": len(records),
        "trials_run": len(runs),
        "reused": len(reused),
        "pruned": sum(r.get("status") == "pruned" for r in runs),
        "failed": sum(r.get("status") == "failed" for r in runs),
        "cells_present": len(cells),
        "cells_expected": _expected_cells(sweep_dir),
        "strategies": sorted({r["strategy"] for r in records}),
        "actual_s": actual,
        "hypothetical_s": hypothetical,
        "ratio": hypothetical / actual if actual > 0 else None,
        "factors": {  # ratio = stopping x bf16 x cache (see the module docstring)
            "stopping": stopped / actual if actual > 0 else None,
            "bf16": in_bf16 / stopped if stopped > 0 else None,
            "cache": hypothetical / in_bf16 if in_bf16 > 0 else None,
        },
        "uncached_share": uncached_s / actual if actual > 0 else None,
        "outside_training_share": outside_s / actual if actual > 0 else None,
        "hypothetical_with_reuse_s": with_reuse,
        "ratio_with_reuse": with_reuse / actual if actual > 0 else None,
        "full_s_per_example_epoch": full_rate,
        "uncached_vs_full": uncached_vs_full,
        "bf16_speedup": bf16_speedup,
        "eval_s": sum(r.get("eval_time_s") or 0.0 for r in runs),
        "train_s": sum(r.get("train_time_s") or 0.0 for r in runs),
        "test_evals_skipped": sum(
            r.get("phase") == "search"
            and r.get("status") == "completed"
            and r.get("test_accuracy") is None
            for r in runs
        ),
        "formula": FORMULA,
    }
