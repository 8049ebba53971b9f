"""`harness sweep FILE [overrides]` and `harness worker FILE [overrides]`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence

from harness.config import load_spec
from harness.errors import ConfigError
from harness.sweep.progress import Progress, count_done
from harness.sweep.runner import Sweep, open_sweep, prepare, work
from harness.sweep.spec import SweepSpec, load_sweep

__all__ = ["run_sweep_command"]


def _preflight(spec: SweepSpec) -> None:
    """Compose every cell at the middle of its ranges before anything runs: a typo fails now."""
    for cell in spec.cells:
        mid = {
            r.override_key: (r.low * r.high) ** 0.5 if r.log else (r.low + r.high) / 2
            for r in spec.space_for(cell)
        }
        try:
            load_spec(
                [
                    *spec.base,
                    *cell.overrides(),
                    *(f"{k}={v!r}" for k, v in mid.items()),
                    "tracker=none",
                ]
            )
        except ConfigError as exc:
            raise ConfigError(
                f"{spec.path}: cell {cell.id}: {exc.key}", exc.problem, exc.allowed
            ) from None


def _where(sweep: Sweep) -> None:
    print(f"records: {sweep.spec.out / 'records'}")
    print(f"storage: {sweep.spec.storage}")
    print(f"mlflow: {sweep.tracker.uri or 'off (tracker: none)'}")


def _spawn_workers(spec: SweepSpec, args: Sequence[str]) -> int:
    """N worker processes on one storage; one GPU each when GPUs are visible, else a share of the cores."""
    import torch

    gpus = torch.cuda.device_count()
    procs = []
    for i in range(spec.workers):
        env = dict(os.environ)
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = str(i % gpus)
        else:
            env["HARNESS_TORCH_THREADS"] = str(max(1, (os.cpu_count() or 1) // spec.workers))
        procs.append(subprocess.Popen([sys.executable, "-m", "harness", "worker", *args], env=env))
        time.sleep(0.5)  # stagger the first claims
    codes = [p.wait() for p in procs]
    return max(codes)


def run_sweep_command(args: Sequence[str], worker: bool = False) -> int:
    if not args:
        raise ConfigError("sweep file", "missing: `harness sweep sweeps/<name>.yaml [overrides]`")
    spec = load_sweep(args[0], list(args[1:]))
    if os.environ.get("HARNESS_TORCH_THREADS"):
        import torch

        torch.set_num_threads(int(os.environ["HARNESS_TORCH_THREADS"]))
    if not worker:
        _preflight(spec)
    sweep = open_sweep(spec)
    if not worker:
        prepare(sweep)
        _where(sweep)
        if spec.workers > 1:
            started = time.perf_counter()
            code = _spawn_workers(spec, args)
            _finish(sweep, time.perf_counter() - started)
            return code
    started = time.perf_counter()
    sweep.progress = Progress(sweep)
    work(sweep)
    if not worker:
        _finish(sweep, time.perf_counter() - started)
    return 0


def _finish(sweep: Sweep, seconds: float) -> None:
    counts = count_done(sweep)
    print(
        f"sweep {sweep.spec.name} done in {seconds:.0f} s: {counts['completed']} completed, "
        f"{counts['pruned']} pruned, {counts['failed']} failed"
    )
    _where(sweep)
