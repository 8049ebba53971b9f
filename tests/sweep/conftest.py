"""Fixtures for the sweep tests: one shrunken smoke sweep, run once and shared (it takes a while)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytest.register_assert_rewrite("sweeptools")  # its checks fail with the values, like a test's

from sweeptools import SweepRun  # noqa: E402

# the smoke sweep on one train size: 2 cells (full, head_only) x (3 search trials + 2 seeds)
SMOKE_OVERRIDES = ("grid.train_size=[32]",)


@pytest.fixture(scope="session")
def smoke_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[SweepRun, subprocess.CompletedProcess[str]]:
    """`python -m harness sweep sweeps/smoke.yaml ...` run to the end, with its output."""
    run = SweepRun.make(Path(tmp_path_factory.mktemp("smoke")), overrides=SMOKE_OVERRIDES)
    return run, run.run()
