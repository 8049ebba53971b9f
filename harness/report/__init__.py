"""`harness report`: turn a sweep's result records into a comparison report (markdown + PNGs)."""

from harness.report.build import build_report
from harness.report.cli import run_report_command
from harness.report.errors import ReportError
from harness.report.findings import generate_findings
from harness.report.load import load_records
from harness.report.paths import resolve_sweep_dir
from harness.report.stats import Comparison, compare_seeds
from harness.report.summary import mark_best, summarize_cells

__all__ = [
    "Comparison",
    "ReportError",
    "build_report",
    "compare_seeds",
    "generate_findings",
    "load_records",
    "mark_best",
    "resolve_sweep_dir",
    "run_report_command",
    "summarize_cells",
]
