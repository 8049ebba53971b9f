"""`harness report` entry point: writes where asked, and bad input is one clear line, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.report.cli import run_report_command


def test_writes_report_to_out(
    fixture_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_report_command([str(fixture_sweep), f"out={tmp_path / 'r'}"]) == 0
    assert (
        (tmp_path / "r" / "report.md")
        .read_text(encoding="utf-8")
        .startswith("# Sweep report: fixture_sweep")
    )
    assert f"report: {tmp_path / 'r' / 'report.md'}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "nowhere: no such sweep output folder or sweep YAML file"),
        ([], "expected at least one sweep folder or sweep file, got 0"),
        (["nowhere", "b"], "nowhere: no such sweep output folder or sweep YAML file"),
        (
            ["x", "colour=red"],
            "unknown override(s) colour; allowed: out, report.margin, report.alpha, sweep",
        ),
    ],
)
def test_bad_input_is_exit_2_with_message(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_report_command(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}")
    assert "usage: harness report" in err


def _copy(fixture_sweep: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    shutil.copytree(fixture_sweep, folder)
    return folder


def _mixed(fixture_sweep: Path, tmp_path: Path) -> Path:
    """The fixture sweep plus a second sweep's records in the same cell folders (two sweeps
    run with one out=): another optimizer, other confirmation seeds."""
    folder = _copy(fixture_sweep, tmp_path)
    for path in sorted((folder / "records").rglob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        rec.update(sweep="other", optimizer="sgd", seed=int(rec["seed"]) + 10)
        path.with_name(f"other-{path.name}").write_text(json.dumps(rec), encoding="utf-8")
    return folder


def test_records_of_two_sweeps_in_one_folder_are_refused_naming_both(
    fixture_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _mixed(fixture_sweep, tmp_path)
    assert main(["report", str(folder), f"out={tmp_path / 'r'}"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"error: {folder}: records of 2 sweeps in one folder")
    assert "'fixture_sweep' (74 records)" in first and "'other' (74 records)" in first
    assert "sweep=NAME" in first
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("name", ["fixture_sweep", "other"])
def test_sweep_picks_one_sweeps_records(
    name: str, fixture_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _mixed(fixture_sweep, tmp_path)
    out = tmp_path / "r"
    assert main(["report", str(folder), f"sweep={name}", f"out={out}"]) == 0, capsys.readouterr()
    table = pd.read_csv(out / "records.csv")
    assert set(table["sweep"]) == {name} and len(table) == 74
    assert set(table["optimizer"]) == {"sgd" if name == "other" else "adamw"}
    assert (out / "report.md").read_text(encoding="utf-8").startswith(f"# Sweep report: {name}")


def test_the_report_lists_the_records_it_could_not_read(
    fixture_sweep: Path, tmp_path: Path
) -> None:
    folder = _copy(fixture_sweep, tmp_path)
    cell = folder / "records" / "strategy-full__train_size-100" / "search"
    (cell / "trial-0098.json").write_text('{"status": "compl', encoding="utf-8")  # cut short
    (cell / "trial-0099.json").write_text("[1, 2]", encoding="utf-8")  # not an object
    with pytest.warns(UserWarning, match="skipped 2 unreadable record"):
        assert main(["report", str(folder), f"out={tmp_path / 'r'}"]) == 0
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    section = report.split("## Unreadable records\n\n", 1)[1].split("\n## ", 1)[0]
    assert section.startswith("2 record file(s) could not be read")
    for name in ("trial-0098.json", "trial-0099.json"):
        assert f"- strategy-full__train_size-100/search/{name} (" in section
