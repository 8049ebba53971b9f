"""Run the pilot's sweep with the existing machinery, under a hard deadline.

`harness sweep FILE` runs in a child process group; at the deadline it gets Ctrl-C (SIGINT),
which the sweep answers by keeping every record written so far, so the same command resumes it
later. A child that does not stop within the grace period is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GRACE_S", "SweepRun", "run_sweep_until", "run_until"]

GRACE_S = 20.0  # seconds a stopped sweep gets to close its trials and storage


@dataclass(frozen=True)
class SweepRun:
    finished: bool  # the sweep ran to its end (else: stopped at the deadline, or failed)
    stopped: bool  # stopped at the deadline
    returncode: int


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal: still there
        return True
    return True


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the sweep and its workers (each keeps the records it wrote); whatever of the
    group still runs after the grace period is killed."""
    pgid = proc.pid  # start_new_session: the child leads its own group
    try:
        os.killpg(pgid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and (proc.poll() is None or _group_alive(pgid)):
        time.sleep(0.2)
    if proc.poll() is None or _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    proc.wait()


def run_until(command: Sequence[str], seconds: float, log_path: Path) -> SweepRun:
    """Run `command` for at most `seconds` (plus the grace period), output appended to log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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


def run_sweep_until(sweep_file: Path, seconds: float, log_path: Path) -> SweepRun:
    """`harness sweep sweep_file` (this interpreter's) under the deadline."""
    return run_until([sys.executable, "-m", "harness", "sweep", str(sweep_file)], seconds, log_path)
