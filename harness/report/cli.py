"""`harness report SWEEP [out=DIR]`: SWEEP is a sweep output folder or `sweeps/<name>.yaml`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from harness.report.build import build_report
from harness.report.errors import ReportError
from harness.report.paths import read_sweep_yaml, resolve_sweep_dir

__all__ = ["run_report_command"]

USAGE = "usage: harness report SWEEP_DIR|SWEEP_YAML [out=DIR]  (default out: reports/<sweep name>)"
_OVERRIDES = ("out",)


def _parse(args: Sequence[str]) -> tuple[str, dict[str, str]]:
    """One positional sweep argument plus key=value overrides; anything else is a usage error."""
    positional = [a for a in args if "=" not in a or Path(a).exists()]
    overrides = dict(a.split("=", 1) for a in args if a not in positional)
    unknown = sorted(set(overrides) - set(_OVERRIDES))
    if unknown:
        raise ReportError(
            f"unknown override(s) {', '.join(unknown)}; allowed: {', '.join(_OVERRIDES)}"
        )
    if len(positional) != 1:
        raise ReportError(f"expected exactly one sweep folder or sweep file, got {len(positional)}")
    return positional[0], overrides


def run_report_command(args: Sequence[str]) -> int:
    """Render the report and print where it went; bad input prints one line and returns 2."""
    try:
        target, overrides = _parse(args)
        sweep_dir = resolve_sweep_dir(target)
        name = str(read_sweep_yaml(sweep_dir)[0].get("name") or sweep_dir.name)
        out_dir = Path(overrides.get("out") or Path("reports") / name)
        report = build_report(sweep_dir, out_dir)
    except ReportError as exc:
        print(f"error: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    print(f"report: {report}")
    print(f"figures and records.csv/.parquet: {out_dir}")
    return 0
