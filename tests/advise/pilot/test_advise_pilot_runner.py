"""The deadline: Ctrl-C first (the sweep keeps its records), a kill only after the grace."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from harness.advise.pilot import runner


def _child(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "child.py"
    script.write_text(body, encoding="utf-8")
    return [sys.executable, str(script)]


def test_a_command_that_ends_in_time_finishes(tmp_path: Path) -> None:
    run = runner.run_until(_child(tmp_path, "print('done')\n"), 30, tmp_path / "log")
    assert (run.finished, run.stopped, run.returncode) == (True, False, 0)
    assert "done" in (tmp_path / "log").read_text(encoding="utf-8")


def test_at_the_deadline_the_command_gets_ctrl_c_and_can_save(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    body = (
        "import time, pathlib\n"
        "try:\n    time.sleep(60)\n"
        f"except KeyboardInterrupt:\n    pathlib.Path({str(saved)!r}).write_text('kept')\n    raise SystemExit(130)\n"
    )
    started = time.monotonic()
    run = runner.run_until(_child(tmp_path, body), 2, tmp_path / "log")
    assert run.stopped and not run.finished and run.returncode == 130
    assert saved.read_text(encoding="utf-8") == "kept"
    assert time.monotonic() - started < 20


def test_a_command_ignoring_ctrl_c_is_killed_after_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "GRACE_S", 1.0)
    body = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('up', flush=True)\ntime.sleep(60)\n"
    started = time.monotonic()
    run = runner.run_until(_child(tmp_path, body), 2, tmp_path / "log")
    assert run.stopped and run.returncode < 0
    assert time.monotonic() - started < 20
