"""The on-disk prefix cache, measured across processes (issue #12's targets):

- a `head_only` trial in a fresh process that finds the cache on disk, against a full
  fine-tuning trial of the same size (record `train_time_s`; target >= 20x);
- three worker processes started together on one cell (same data, model, prefix): how many
  caches they built in all (target: one per split, train and validation; which worker builds
  which split is a race, so two workers may each build one).

Every trial here is a `python -m harness trial` subprocess, so nothing is shared in memory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.workload import Workload

__all__ = ["disk_cache"]


def _start(work: Workload, out: Path, cache_dir: Path, name: str) -> subprocess.Popen[str]:
    overrides = [o for o in work.overrides() if not o.startswith("train.cache_dir=")]
    cmd = [
        sys.executable,
        "-m",
        "harness",
        "trial",
        *overrides,
        "strategy=head_only",
        f"train.cache_dir={cache_dir}",
        f"record_path={out / f'{name}.json'}",
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )


def _finish(proc: subprocess.Popen[str], out: Path, name: str) -> dict[str, Any]:
    text, _ = proc.communicate(timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"bench disk-cache trial {name} failed:\n{text[-2000:]}")
    rec: dict[str, Any] = json.loads((out / f"{name}.json").read_text())
    keys = (
        "train_time_s",
        "cache_time_s",
        "cache_build_s",
        "cache_hit",
        "cache_builds",
        "wall_time_s",
    )
    return {k: rec[k] for k in keys}


def disk_cache(work: Workload, out: Path, full_train_time_s: float) -> dict[str, Any]:
    out = out / "disk_cache"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    first = _finish(_start(work, out, out / "cache-a", "first"), out, "first")
    second = _finish(_start(work, out, out / "cache-a", "second"), out, "second")
    procs = [(f"worker{i}", _start(work, out, out / "cache-b", f"worker{i}")) for i in range(3)]
    workers = [_finish(p, out, name) for name, p in procs]
    return {
        "first": first,
        "second": second,
        "full_train_time_s": full_train_time_s,
        "full_vs_second": full_train_time_s / second["train_time_s"],
        "workers": workers,
        "workers_built": sum(not w["cache_hit"] for w in workers),
        # each split's cache built once in all: the workers' builds add up to the splits cached
        "cache_builds": sum(int(w["cache_builds"]) for w in workers),
        "splits_cached": 2,  # train and validation (test is built after training)
    }
