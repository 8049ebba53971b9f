"""`harness trial`'s progress bar: on a terminal it shows steps of the budget, the validation
score and an ETA; on a pipe or a log file, and under CI, nothing of it reaches the output."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.trial_bar import TrialBar, bar_enabled

TRIAL = [  # a tiny trial of 4 steps (tests/conftest.py's TINY, by steps)
    "model=tiny",
    "tracker=none",
    "dataset.train_size=48",
    "dataset.val_size=32",
    "train.batch_size=16",
    "train.drift_examples=16",
    "train.precision=fp32",
    "train.max_steps=4",
    "train.min_steps=1",
]
BAR = "steps |"  # what every drawn bar line holds


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_on_only_for_a_terminal_outside_ci() -> None:
    assert bar_enabled(_Tty(), env={})
    assert bar_enabled(_Tty(), env={"CI": "false"})
    assert not bar_enabled(_Tty(), env={"CI": "true"})
    assert not bar_enabled(_Tty(), env={"CI": "1"})
    assert not bar_enabled(io.StringIO(), env={})  # a pipe, a log file


def test_the_bar_shows_steps_the_score_and_time_left() -> None:
    out = _Tty()
    bar = TrialBar("lora@300", out)
    bar.begin(40)
    bar.wrap(None)(10)
    bar.evaluated(20, "val_accuracy", 0.8125)
    text = out.getvalue()
    bar.close()
    assert "lora@300: 20/40 steps |" in text and "val_accuracy 0.812" in text
    assert "<" in text.rsplit("[", 1)[1]  # [elapsed<remaining]


def _trial(
    tmp_path: Path, env: dict[str, str], stderr: int | None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", "trial", *TRIAL, f"out={tmp_path / 'runs'}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.mark.slow
def test_a_trial_piped_or_under_ci_prints_no_bar(tmp_path: Path) -> None:
    quiet = {k: v for k, v in os.environ.items() if k != "CI"}
    piped = _trial(tmp_path, quiet, None)  # stderr a pipe, as in a log
    assert piped.returncode == 0, piped.stderr
    assert BAR not in piped.stderr and "\r" not in piped.stderr and "█" not in piped.stderr
    assert piped.stdout.startswith("completed: full on tiny (bert), sst2 n=48")
    # on a terminal: the bar is drawn, unless CI is set
    for ci, drawn in ((None, True), ("true", False)):
        env = quiet if ci is None else {**quiet, "CI": ci}
        screen, proc = _on_a_terminal(lambda tty, env=env: _trial(tmp_path, env, tty))
        assert proc.returncode == 0
        assert (BAR in screen) is drawn, (ci, screen[-300:])


def _on_a_terminal(
    run: Callable[[int], subprocess.CompletedProcess[str]],
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run with stderr on a pseudo-terminal; what it drew there (read while it runs: a closed
    terminal drops what was not read)."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # 120 columns
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed with the process
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        proc = run(child)
    finally:
        os.close(child)
        reader.join(10)
        os.close(main)
    return b"".join(chunks).decode(errors="replace"), proc
