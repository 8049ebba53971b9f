"""bf16 vs fp32 on the CPU: the same trials in both precisions, paired by seed, at two train
sizes; bf16 may be the CPU default only if its test accuracy is equivalent within 0.5 points
(TOST on the paired differences, alpha 0.05), and the speed-up is measured on the same runs."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

from scipy import stats

from bench.workload import clear_caches
from harness.config import load_spec
from harness.trial import run_trial

__all__ = ["MARGIN_POINTS", "parity"]

MARGIN_POINTS = 0.5


def _trial(out: Path, n: int, seed: int, precision: str, max_steps: int) -> dict[str, Any]:
    spec = load_spec(
        [
            "model=minilm",
            "dataset=sst2",
            "tracker=none",
            "device=cpu",
            f"out={out}",
            f"train.precision={precision}",
            f"seed={seed}",
            f"dataset.data_seed={seed}",
            f"dataset.train_size={n}",
            "dataset.val_size=300",
            f"train.max_steps={max_steps}",
            "train.min_steps=0",
            "optimizer.lr=5e-5",
            "train.drift_examples=0",
            "regularization.early_stopping_patience=null",
        ]
    )
    clear_caches()
    rec, _ = run_trial(spec)
    if rec["status"] != "completed":
        raise RuntimeError(f"parity trial n={n} seed={seed} {precision}: {rec.get('error')}")
    return rec


def _summary(diffs: list[float]) -> dict[str, Any]:
    """Mean paired difference (points), 95 % t interval, TOST p against ±MARGIN_POINTS."""
    n, mean = len(diffs), statistics.fmean(diffs)
    sd = statistics.stdev(diffs) if n > 1 else math.nan
    se = max(sd / math.sqrt(n), 1e-9) if n > 1 else math.nan
    half = stats.t.ppf(0.975, n - 1) * se if n > 1 else math.nan
    p_tost = (
        max(
            stats.t.sf((mean + MARGIN_POINTS) / se, n - 1),
            stats.t.cdf((mean - MARGIN_POINTS) / se, n - 1),
        )
        if n > 1
        else math.nan
    )
    return {
        "n": n,
        "mean": mean,
        "low": mean - half,
        "high": mean + half,
        "p_tost": float(p_tost),
        "equivalent": bool(p_tost < 0.05),
    }


def parity(
    out: Path, sizes: tuple[int, ...] = (100, 300), seeds: int = 5, max_steps: int = 120
) -> dict[str, Any]:
    """Test accuracy (points) and training samples/s of fp32 vs bf16, paired by seed."""
    res: dict[str, Any] = {"sizes": {}, "max_steps": max_steps, "margin": MARGIN_POINTS}
    for n in sizes:
        rows = []
        for seed in range(seeds):
            runs = {p: _trial(out, n, seed, p, max_steps) for p in ("fp32", "bf16")}
            rows.append(
                {
                    p: {"test": 100 * r["test_accuracy"], "sps": r["train_samples_per_s"]}
                    for p, r in runs.items()
                }
            )
        diffs = [r["bf16"]["test"] - r["fp32"]["test"] for r in rows]
        speed = statistics.median(r["bf16"]["sps"] / r["fp32"]["sps"] for r in rows)
        res["sizes"][n] = {"runs": rows, "diff": _summary(diffs), "speedup": speed}
    res["equivalent"] = all(v["diff"]["equivalent"] for v in res["sizes"].values())
    return res
