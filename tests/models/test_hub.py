"""A hub model id while the hub cannot be reached: one line in seconds, not a minute of retries;
local folders and installed-package models load as before."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.models import hub

# Imports first, then time only the command: interpreter start-up and torch's import are not
# what this checks (a loaded 2-core machine takes ~10 s for them alone).
_TIMED = """
import sys, time
import harness.cli, harness.models.loading
t0 = time.monotonic()
code = harness.cli.main(sys.argv[1:])
print(f"elapsed_s={time.monotonic() - t0:.1f}", file=sys.stderr)
sys.exit(code)
"""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_hub_fails_in_seconds_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    # a hub that refuses connections, an empty Hugging Face cache, no proxy
    env["HF_ENDPOINT"] = f"http://127.0.0.1:{_closed_port()}"
    env.update(HF_HOME=str(tmp_path / "hf"), NO_PROXY="*", PYTHONWARNINGS="ignore")
    args = ["trial", "model=hub", "model.name_or_path=some-org/some-model", "tracker=none"]
    done = subprocess.run(
        [sys.executable, "-c", _TIMED, *args, f"out={tmp_path / 'runs'}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    *lines, timing = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("error: model.name_or_path: cannot load a tokenizer from")
    assert "'some-org/some-model'" in lines[0] and "the hub cannot be reached" in lines[0]
    assert float(timing.removeprefix("elapsed_s=")) < 10, timing  # was ~55 s of retries
    assert not list(tmp_path.rglob("*.json"))  # no record: bad input, not a failed trial


def test_offline_flag_reads_the_cache_only(monkeypatch: pytest.MonkeyPatch) -> None:
    hub.hub_unreachable.cache_clear()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub.hub_unreachable() == "HF_HUB_OFFLINE is set"
    hub.hub_unreachable.cache_clear()


def test_local_folders_never_ask_the_hub(minilm_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed-package model (and any folder) loads with the hub unreachable."""
    from harness.models import loading

    monkeypatch.setattr(loading, "hub_unreachable", lambda: "no connection (test)")
    assert hub.is_local(minilm_path)
    loading.load_tokenizer.cache_clear()
    assert loading.load_tokenizer(minilm_path).vocab_size > 1000
    assert loading._local_only(minilm_path) == {}
    assert loading._local_only("some-org/some-model") == {"local_files_only": True}
