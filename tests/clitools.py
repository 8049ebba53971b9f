"""The command line as a user runs it, for the CLI tests (not a test module)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["harness", "no_training"]


def harness(*args: str, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m harness ...` run from `cwd` (MLflow puts artifacts under ./mlruns), offline and
    quiet (conftest's environment); `umask`: the shell's umask for it."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )


def no_training(*args: object, **kwargs: object) -> None:
    """Patched over `harness.trial.train` where bad input must be refused before training."""
    raise AssertionError("training started despite bad input")
