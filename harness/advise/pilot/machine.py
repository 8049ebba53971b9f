"""Measure this machine before planning: one short trial per strategy, as the sweep will run it.

Each probe is a real trial of the pilot's model on the user's data at the larger size, a few
optimizer steps long, with one validation pass and the test evaluation, on as many torch threads
as each sweep worker will get. Its record splits the cost into per-step, per-validation and
per-run parts (and the frozen-prefix cache build, paid once per cell). Probe records are kept in
the pilot's folder, so a resumed pilot does not measure again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.advise.pilot.plan import TrialCost
from harness.errors import ConfigError

__all__ = [
    "PROBE_STEPS",
    "Machine",
    "costs_from_record",
    "measure_machine",
    "process_start_s",
    "workers_here",
]

PROBE_STEPS = 8  # optimizer steps per probe: enough to get past the first, slower steps


@dataclass(frozen=True)
class Machine:
    """This machine as the pilot will use it, and what a run of each strategy costs on it."""

    description: str
    workers: int
    threads: int  # torch threads per worker
    costs: dict[str, TrialCost]
    start_s: float  # a sweep process's imports (the sweep, then its workers in parallel)
    compose_s: float  # composing one trial's config (the sweep's preflight does one per cell)
    seconds: float  # spent measuring

    def sweep_start_s(self, cells: int) -> float:
        """Before the first trial of a sweep runs: two process starts and the preflight."""
        return 2 * self.start_s + cells * self.compose_s


def workers_here() -> tuple[int, int, str]:
    """(workers, torch threads each, description): one per GPU-less pair of cores, as the
    default study measured fastest on 2 cores (2 workers x 1 thread); one on a GPU."""
    import torch

    cores = os.cpu_count() or 1
    if torch.cuda.is_available():
        return 1, cores, f"cuda ({torch.cuda.get_device_name(0)}), {cores} CPU cores"
    workers = min(2, cores)
    threads = max(1, cores // workers)
    return workers, threads, f"cpu, {cores} cores: {workers} worker(s) x {threads} torch thread(s)"


def costs_from_record(rec: dict[str, Any]) -> TrialCost:
    """Split one probe's times: steps, validations, the per-run rest, and the cache build."""
    steps = max(1, int(rec.get("optimizer_steps") or 0))
    evals = max(1, len(rec.get("history") or []))
    train = float(rec["train_time_s"])
    evaluating = float(rec.get("eval_time_s") or 0.0)
    cache = float(rec.get("cache_share_s") or 0.0)
    return TrialCost(
        step_s=max(train - evaluating - cache, 0.0) / steps,
        eval_s=evaluating / evals,
        fixed_s=max(float(rec["wall_time_s"]) - train, 0.0),
        cache_s=float(rec.get("cache_build_s") or 0.0),
    )


def _probe(overrides: list[str], path: Path, threads: int) -> tuple[dict[str, Any], float]:
    """One probe trial (or its record from an earlier, interrupted pilot) and its compose time."""
    from harness.config import load_spec

    tick = time.perf_counter()
    spec = load_spec([*overrides, f"record_path='{path}'"])
    compose_s = time.perf_counter() - tick
    if path.is_file():
        return dict(json.loads(path.read_text(encoding="utf-8"))), compose_s
    import torch

    from harness.trial import run_trial

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rec, _ = run_trial(spec)
    finally:
        torch.set_num_threads(before)
    return rec, compose_s


def process_start_s() -> float:
    """Seconds a fresh Python process takes to import what a sweep worker needs."""
    tick = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import harness.trial, harness.sweep.runner"],
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - tick


def measure_machine(
    base: Sequence[str], strategies: Sequence[str], train_size: int, folder: Path
) -> Machine:
    """Probe each strategy at `train_size` with the pilot's overrides `base`."""
    started = time.perf_counter()
    workers, threads, description = workers_here()
    costs: dict[str, TrialCost] = {}
    composing: list[float] = []
    for strategy in strategies:
        overrides = [
            *base,
            f"strategy={strategy}",
            f"dataset.train_size={train_size}",
            f"train.max_steps={PROBE_STEPS}",
            f"train.min_steps={PROBE_STEPS}",
            f"train.eval_every_steps={PROBE_STEPS}",
            "tracker=none",
        ]
        rec, compose_s = _probe(overrides, folder / f"probe-{strategy}.json", threads)
        if rec.get("status") != "completed":
            (folder / f"probe-{strategy}.json").unlink(missing_ok=True)  # measure again next time
            raise ConfigError(
                "--data",
                f"the {strategy} probe trial failed ({rec.get('error')}); record: {folder}",
            )
        costs[strategy] = costs_from_record(rec)
        composing.append(compose_s)
    return Machine(
        description,
        workers,
        threads,
        costs,
        process_start_s(),
        max(composing),
        time.perf_counter() - started,
    )
