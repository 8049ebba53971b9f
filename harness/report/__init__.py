"""`harness report`: turn a sweep's result records into a comparison report (markdown + PNGs)."""

from harness.report.build import build_report
from harness.report.cli import run_report_command
from harness.report.crossdataset import suites, verdict_counts
from harness.report.errors import ReportError
from harness.report.findings import generate_findings
from harness.report.load import load_records
from harness.report.options import ReportOptions, report_options
from harness.report.paths import resolve_sweep_dir
from harness.report.perclass import per_class_f1
from harness.report.ranks import bayes_signed_rank, critical_difference, friedman, nemenyi_q
from harness.report.sources import read_sweeps
from harness.report.summary import mark_best, summarize_cells
from harness.report.verdicts import verdict_table

__all__ = [
    "ReportError",
    "ReportOptions",
    "bayes_signed_rank",
    "build_report",
    "critical_difference",
    "friedman",
    "generate_findings",
    "load_records",
    "mark_best",
    "nemenyi_q",
    "per_class_f1",
    "read_sweeps",
    "report_options",
    "resolve_sweep_dir",
    "run_report_command",
    "suites",
    "summarize_cells",
    "verdict_counts",
    "verdict_table",
]
