"""Run the pilot's sweep with the existing machinery, under a hard deadline.

`harness sweep FILE` runs in a child process group; at the deadline it gets Ctrl-C (SIGINT),
which the sweep answers by keeping every record written so far, so the same command resumes it
later. A child that does not stop within the grace period is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GRACE_S", "SweepRun", "run_sweep_until"]

GRACE_S = 20.0  # seconds a stopped sweep gets to close its trials and storage


@dataclass(frozen=True)
class SweepRun:
    finished: bool  # the sweep ran to its end (else: stopped at the deadline, or failed)
    stopped: bool  # stopped at the deadline
    returncode: int


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the sweep and its workers; kill what is still running after the grace period."""
    for sig, wait in ((signal.SIGINT, GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_sweep_until(sweep_file: Path, seconds: float, log_path: Path) -> SweepRun:
    """`harness sweep sweep_file` for at most `seconds` (plus the grace period); output to log."""
    command = [sys.executable, "-m", "harness", "sweep", str(sweep_file)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = proc.wait(timeout=max(1.0, seconds))
        except subprocess.TimeoutExpired:
            _stop(proc)
            return SweepRun(False, True, proc.returncode if proc.returncode is not None else -9)
        except BaseException:  # Ctrl-C on advise itself: stop the sweep too, then go
            _stop(proc)
            raise
    return SweepRun(code == 0, False, code)
