"""`harness report` entry point: writes where asked, and bad input is one clear line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

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
            "unknown override(s) colour; allowed: out, report.margin, report.alpha",
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
