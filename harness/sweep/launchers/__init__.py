"""Where a sweep's workers run: `local` (processes here), `slurm` (submitit array jobs), `ray` (Ray tasks).

Every launcher starts the same command, `harness worker <file> <overrides>`, some number of times
against the sweep's storage and waits; the storage, not the launcher, decides who runs what.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from harness.sweep.spec import SweepSpec

__all__ = ["launch", "worker_command"]

MODULES = {"local": "local", "slurm": "slurm", "ray": "ray_"}  # launcher name -> module here


def worker_command(args: Sequence[str]) -> list[str]:
    """This interpreter's `harness worker` with the sweep's own arguments (file + overrides)."""
    return [sys.executable, "-m", "harness", "worker", *args]


def launch(spec: SweepSpec, args: Sequence[str]) -> int:
    """Run the sweep's workers with its launcher; the exit code of the worst worker."""
    name = spec.launcher["name"]
    if name != "local" and spec.storage.startswith("sqlite"):
        print(
            f"note: storage is SQLite ({spec.storage}): fine on one machine, unsafe across "
            "machines; use storage=postgresql+psycopg://user@host/db",
            file=sys.stderr,
        )
    module = importlib.import_module(f"{__name__}.{MODULES[name]}")
    return int(module.launch(spec, list(args)))
