"""`harness advise --data` end to end: the tiny model, a CSV written here, a budget of minutes;
it must finish inside the budget, advise, and resume when run again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from datafiles import text_rows, write_rows

BUDGET_S = 240


def _advise(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "harness", "advise", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=dict(os.environ),
        timeout=BUDGET_S + 120,
    )
    return done, time.monotonic() - started


@pytest.mark.slow
def test_a_pilot_on_a_local_csv_advises_within_its_budget_and_resumes(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "reviews.csv", text_rows(600), "csv")
    out = tmp_path / "advice"
    args = ["--data", str(data), "--budget", f"{BUDGET_S}s", "model=tiny", f"out={out}"]
    done, seconds = _advise(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert seconds <= BUDGET_S + 10  # the budget holds (+ interpreter start, outside its clock)
    assert "pilot: measuring this machine" in done.stderr
    assert "Pilot on" in done.stdout and "RECOMMENDATION:" in done.stdout
    advice = json.loads((out / "advice.json").read_text(encoding="utf-8"))
    assert advice["recommendation"] in {"full", "lora", "bitfit", "head_only"}
    assert advice["train_size"] == 412  # 600 rows - 120 test - 68 validation
    plan = advice["pilot"]["plan"]
    assert plan["sizes"] == [137, 412] and plan["seeds"] >= 3
    assert plan["estimate_s"] <= plan["available_s"]
    sweep = yaml.safe_load((out / "pilot.yaml").read_text(encoding="utf-8"))
    assert sweep["grid"] == {
        "strategy": ["full", "lora", "bitfit", "head_only"],
        "train_size": [137, 412],
    }
    assert (out / "advice.md").is_file() and (out / "learning_curves.png").is_file()
    confirmed = sorted(out.glob("sweep/records/*/confirm/*.json"))
    assert confirmed
    probes = {p: p.stat().st_mtime_ns for p in out.glob("probe/*.json")}
    assert len(probes) == 4

    # the same command again (with a budget just long enough to start): no new measuring, the
    # plan and the runs so far are reused
    again, _ = _advise([*args[:3], "60s", *args[4:]], tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "resuming the plan" in again.stderr and "measuring" not in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.glob("probe/*.json")} == probes
    assert len(sorted(out.glob("sweep/records/*/confirm/*.json"))) >= len(confirmed)
    assert "RECOMMENDATION:" in again.stdout


def test_another_pilot_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    from harness.cli import main

    out = tmp_path / "advice"
    out.mkdir()
    (out / "pilot.json").write_text(
        json.dumps({"settings": {"data": "other.csv"}}), encoding="utf-8"
    )
    data = write_rows(tmp_path / "reviews.csv", text_rows(300), "csv")
    assert main(["advise", "--data", str(data), "--budget", "5m", "model=tiny", f"out={out}"]) == 2


def test_train_size_beyond_the_rows_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    data = write_rows(tmp_path / "reviews.csv", text_rows(300), "csv")
    args = [
        "advise",
        "--data",
        str(data),
        "--budget",
        "5m",
        "train_size=5000",
        f"out={tmp_path / 'o'}",
    ]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: train_size: 5000 is more than the")
