"""`report.margin`, `report.alpha` and `confirm.seeds`: validated once, bad input is one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.report.cli import run_report_command
from harness.report.errors import ReportError
from harness.report.options import ReportOptions, report_options


def test_defaults_and_the_sweep_files_values() -> None:
    assert report_options({}) == ReportOptions(margin=1.0, alpha=0.05, seeds_min=3, seeds_max=3)
    opts = report_options({"report": {"margin": 0.5}, "confirm": {"seeds": {"min": 3, "max": 12}}})
    assert (opts.margin, opts.seeds_min, opts.seeds_max, opts.sequential) == (0.5, 3, 12, True)
    assert report_options({"confirm": {"seeds": 5}}).seeds_max == 5
    assert report_options({"confirm": {"seeds": [0, 4]}}).seeds_min == 2
    assert report_options({"report": {"alpha": 0.1}}, {"report.alpha": "0.01"}).alpha == 0.01


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"report": {"margin": 0}}, "report.margin: must be > 0 points"),
        ({"report": {"margin": "wide"}}, "report.margin: must be a number, got 'wide'"),
        ({"report": {"alpha": 0.5}}, "report.alpha: must be in (0, 0.5)"),
        ({"report": {"alpha": 0}}, "report.alpha: must be in (0, 0.5)"),
        ({"report": {"colour": 1}}, "report.colour: unknown key"),
        (
            {"confirm": {"seeds": {"min": 5, "max": 3}}},
            "confirm.seeds.min: 5 is greater than confirm.seeds.max 3",
        ),
        (
            {"confirm": {"seeds": {"min": 3, "max": 101}}},
            "confirm.seeds.max: must be between 1 and 100",
        ),
    ],
)
def test_bad_values_name_their_key(raw: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ReportError) as err:
        report_options(raw)
    assert str(err.value).startswith(message)
    assert isinstance(err.value, ValueError)


def test_cli_overrides_reach_the_report(
    fixture_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert run_report_command([str(fixture_sweep), f"out={out}", "report.margin=0.5"]) == 0
    assert "equivalence margin ±0.5 points" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("report.margin=-1", "error: report.margin: must be > 0 points, got -1"),
        ("report.margin=abc", "error: report.margin: must be a number, got 'abc'"),
        ("report.alpha=0.7", "error: report.alpha: must be in (0, 0.5), got 0.7"),
    ],
)
def test_cli_bad_option_is_exit_2(
    fixture_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], arg: str, message: str
) -> None:
    assert run_report_command([str(fixture_sweep), f"out={tmp_path}", arg]) == 2
    assert capsys.readouterr().err.splitlines()[0] == message
