"""`harness advise` on the committed studies, its files, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main

REPO = Path(__file__).resolve().parents[2]
DEFAULT, SUITE = REPO / "reports" / "default", REPO / "reports" / "suite"


@pytest.mark.parametrize("n", [100, 170, 300, 640, 1000])
def test_the_default_study_answers_inside_its_sizes_with_intervals(
    n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    assert main(["advise", str(DEFAULT), f"train_size={n}", f"out={tmp_path}", "--json"]) == 0
    seconds = time.perf_counter() - started
    data = json.loads(capsys.readouterr().out)
    assert data["train_size"] == n and data["recommendation"] in {
        "full",
        "top_k",
        "lora",
        "bitfit",
        "head_only",
    }
    strategies = data["units"][0]["strategies"]
    assert len(strategies) == 5
    for s in strategies:
        assert s["low"] <= s["score"] <= s["high"] and s["high"] - s["low"] > 0
        assert s["position"] in ("studied", "interpolation")
    assert (tmp_path / "advice.md").is_file() and (tmp_path / "learning_curves.png").is_file()
    assert seconds < 60  # "in seconds" (measured ~1 s on an idle 2-core machine)


def test_the_suite_answers_per_dataset_and_pooled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["advise", str(SUITE), "train_size=400", f"out={tmp_path}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [u["label"] for u in data["units"]] == ["cr", "mpqa", "sst2", "sst5", "subj", "trec"]
    assert data["pooled"]["recommendation"] == data["recommendation"]
    assert 1 <= data["units_agreeing"] <= 6 and data["n_units"] == 6
    for unit in [data["pooled"], *data["units"]]:
        assert all(s["low"] <= s["score"] <= s["high"] for s in unit["strategies"])
    md = (tmp_path / "advice.md").read_text(encoding="utf-8")
    assert "## Pooled over the datasets" in md and "## trec" in md


def test_the_screen_and_a_json_file_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "sub" / "advice.json"
    assert (
        main(
            [
                "advise",
                str(DEFAULT),
                "train_size=300",
                "margin=2",
                f"out={tmp_path / 'o'}",
                f"--json={target}",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("harness advise: default") and "RECOMMENDATION:" in out
    assert json.loads(target.read_text(encoding="utf-8"))["margin"] == 2.0
    assert "margin= option" in out


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: harness advise STUDY train_size=N") and "--budget" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["reports/nowhere", "train_size=10"], "reports/nowhere: no such report folder"),
        ([str(DEFAULT), "train_size=0"], "train_size: must be > 0"),
        ([str(DEFAULT), "train_size=-5"], "train_size: must be > 0"),
        ([str(DEFAULT), "train_size=many"], "train_size: must be a whole number"),
        ([str(DEFAULT)], "train_size: is required"),
        ([str(DEFAULT), "train_size=10", "colour=red"], "colour: unknown key"),
        ([str(DEFAULT), "train_size=10", "margin=0"], "margin: must be > 0"),
        ([str(DEFAULT), "train_size=10", "--budget", "30m"], "--budget: only with --data"),
        ([str(DEFAULT), "train_size=10", "--fast"], "--fast: unknown flag"),
        (["train_size=10"], "study: expected one"),
        (["--data", "x.csv"], "--budget: is required with --data"),
        (["--data", "x.csv", "--budget", "soon"], "--budget: cannot read 'soon'"),
        (["--data", "nope.csv", "--budget", "5m"], "--data: file not found: nope.csv"),
    ],
)
def test_bad_input_is_one_line_naming_the_key_or_file(
    args: list[str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["advise", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {named}") and "\n" not in err


def test_a_sweep_without_confirmation_runs_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "runs" / "s" / "records" / "strategy-full__train_size-100" / "search"
    records.mkdir(parents=True)
    fixture = (
        REPO
        / "tests"
        / "fixtures"
        / "report"
        / "sweep"
        / "records"
        / "strategy-full__train_size-100"
        / "search"
        / "trial-0000.json"
    )
    (records / "trial-0000.json").write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["advise", str(tmp_path / "runs" / "s"), "train_size=100"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no completed confirmation runs" in err and "\n" not in err


@pytest.mark.slow
def test_the_installed_command_prints_json_for_scripts(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "advise",
            str(DEFAULT),
            "train_size=500",
            f"out={tmp_path}",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["train_size"] == 500
