"""`harness sweep FILE [overrides]` and `harness worker FILE [overrides]`."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harness.config import load_spec
from harness.errors import ConfigError
from harness.sweep.launchers import launch
from harness.sweep.progress import Progress, count_done
from harness.sweep.session import check_out
from harness.sweep.spec import SweepSpec, load_sweep
from harness.sweep.study import open_storage

if TYPE_CHECKING:
    from harness.sweep.runner import Sweep

__all__ = ["run_sweep_command"]


def _preflight(spec: SweepSpec) -> None:
    """Compose every cell at the middle of its ranges before anything runs, and read each of
    their data files once: a typo or an undecodable file fails now, not in every trial."""
    from harness.data.text import check_data_files

    data = []
    for cell in spec.cells:
        mid = {
            r.override_key: (r.low * r.high) ** 0.5 if r.log else (r.low + r.high) / 2
            for r in spec.space_for(cell)
        }
        try:
            trial = load_spec(
                [
                    *spec.trial_base,
                    *cell.overrides(),
                    *(f"{k}={v!r}" for k, v in mid.items()),
                    "tracker=none",
                ]
            )
        except ConfigError as exc:
            raise ConfigError(
                f"{spec.path}: cell {cell.id}: {exc.key}", exc.problem, exc.allowed
            ) from None
        data.append(trial.data)
    check_data_files(data)  # each file once, whichever cells read it


def _where(sweep: Sweep) -> None:
    print(f"records: {sweep.spec.out / 'records'}")
    print(f"storage: {sweep.spec.storage}")
    print(f"mlflow: {sweep.tracker.uri or 'off (tracker: none)'}")


def run_sweep_command(args: Sequence[str], worker: bool = False) -> int:
    if not args:
        raise ConfigError("sweep file", "missing: `harness sweep sweeps/<name>.yaml [overrides]`")
    spec = load_sweep(args[0], list(args[1:]))
    check_out(spec)  # another sweep's folder: refused before anything is written there
    open_storage(spec.storage, spec.heartbeat_s)  # a bad URL fails now, before torch is imported
    from harness.sweep.runner import open_sweep, prepare, work

    if os.environ.get("HARNESS_TORCH_THREADS"):
        import torch

        torch.set_num_threads(int(os.environ["HARNESS_TORCH_THREADS"]))
    if not worker:
        _preflight(spec)
    sweep = open_sweep(spec)
    if not worker:
        prepare(sweep)
        _where(sweep)
        if spec.workers > 1 or spec.launcher["name"] != "local":
            started = time.perf_counter()
            code = launch(spec, args)  # harness/sweep/launchers/: local, slurm, ray
            if spec.launcher["wait"]:
                _finish(sweep, time.perf_counter() - started)
            return code
    started = time.perf_counter()
    sweep.progress = Progress(sweep)
    work(sweep)
    if not worker:
        _finish(sweep, time.perf_counter() - started)
    return 0


def next_steps(spec: SweepSpec, tracking_uri: str | None) -> str:
    """The last line of a sweep: the commands that show its results, for this very sweep."""
    from harness.mlflow_tracker import sweep_uri

    shipped = spec.path.resolve() == (Path("sweeps") / f"{spec.name}.yaml").resolve()
    default_out = spec.out.resolve() == (Path("runs") / spec.name).resolve()
    report = (
        f"make report SWEEP={spec.name}"
        if shipped and default_out
        else f"harness report {spec.out}"
    )
    where = f"reports/{spec.name}/report.md"
    if tracking_uri is None:
        return f"next: `{report}` writes {where}"
    if tracking_uri == sweep_uri(Path("runs") / spec.name):  # what `make ui SWEEP=<name>` opens
        ui = "make ui" if spec.name == "default" else f"make ui SWEEP={spec.name}"
    else:
        ui = f"make ui TRACKING={tracking_uri}"
    return f"next: `{report}` writes {where}; `{ui}` opens the runs in MLflow"


def _finish(sweep: Sweep, seconds: float) -> None:
    counts = count_done(sweep)
    print(
        f"sweep {sweep.spec.name} done in {seconds:.0f} s: {counts['completed']} completed, "
        f"{counts['pruned']} pruned, {counts['failed']} failed"
    )
    _where(sweep)
    print(next_steps(sweep.spec, sweep.tracker.uri))
