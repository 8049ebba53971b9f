"""Render the whole comparison report for one sweep: markdown, figures and the tidy table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from harness.report.bootstrap import example_correctness
from harness.report.budget import budget_section, plot_budget_curves
from harness.report.comparisons import verdicts_section
from harness.report.cost import cost_section
from harness.report.crossover import crossover_lines
from harness.report.drift import drift_section
from harness.report.ensemble import add_ensemble
from harness.report.errors import ReportError
from harness.report.findings import generate_findings
from harness.report.header import header_section
from harness.report.hparams import hparams_section
from harness.report.load import load_records
from harness.report.options import ReportOptions, report_options
from harness.report.paths import read_sweep_yaml
from harness.report.plots import plot_cost_scatter, plot_learning_curves
from harness.report.score import add_score, score_of
from harness.report.summary import grid_from_sweep, mark_best, summarize_cells
from harness.report.tables import main_table_section, overfit_section
from harness.report.training_curves import plot_training_curves
from harness.report.trust import CellKey, cell_flags, trust_section
from harness.report.variance import variance_section
from harness.report.verdicts import verdict_table, versus_best_map

__all__ = ["build_report"]

LEARNING_CURVES_PNG = "learning_curves.png"
COST_SCATTER_PNG = "cost_scatter.png"
TRAINING_CURVES_PNG = "training_curves.png"
BUDGET_CURVES_PNG = "budget_curves.png"


def _findings_section(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    opts: ReportOptions,
    flags: dict[CellKey, list[str]],
    extra: list[str],
) -> str:
    """The generated statements, with the rules they follow stated up front."""
    intro = (
        "Generated from the verdicts above; each cites the cells (`strategy@train_size`) it rests on "
        "and states its verdict and interval. 'Within 1 point' in the cost statements compares means "
        "only; a finding resting on a flagged cell (see Trust) is marked *suspect*."
    )
    lines = generate_findings(summary, verdicts, opts.margin, flags, extra)
    items = "\n".join(f"- {line}" for line in lines)
    return "\n\n".join(["## Findings", intro, items or "- No finished cells: nothing to conclude."])


def _appendix(sweep_text: str | None) -> str:
    """The sweep file as run, verbatim, so the report is self-describing."""
    if sweep_text is None:
        return "## Sweep file\n\nNo `sweep.yaml` in the sweep folder."
    return f"## Sweep file\n\n<details><summary>sweep.yaml as run</summary>\n\n```yaml\n{sweep_text.rstrip()}\n```\n\n</details>"


def _write_table(records: pd.DataFrame, out_dir: Path) -> None:
    """The tidy table beside the report, for anyone who wants to slice it differently."""
    records.to_csv(out_dir / "records.csv", index=False)
    records.to_parquet(out_dir / "records.parquet", index=False)


def build_report(sweep_dir: Path, out_dir: Path, overrides: dict[str, str] | None = None) -> Path:
    """Answer 'when does full fine-tuning pay?' from a sweep's records; returns report.md."""
    sweep_dir, out_dir = Path(sweep_dir), Path(out_dir)
    meta, sweep_text = read_sweep_yaml(sweep_dir)
    score, opts = score_of(meta), report_options(meta, overrides)
    raw = load_records(sweep_dir)
    correct = example_correctness(raw) if score.name == "accuracy" else {}
    records = add_score(add_ensemble(raw), score)
    name = str(meta.get("name") or sweep_dir.name)
    summary = summarize_cells(records, grid_from_sweep(meta))
    if summary.empty:
        raise ReportError(f"{sweep_dir}: no record names a strategy and train size")
    verdicts = verdict_table(summary, opts, correct)
    summary = mark_best(summary, versus_best_map(verdicts))
    flags = cell_flags(records, summary)
    crossover = crossover_lines(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_table(records, out_dir)
    plot_learning_curves(summary, out_dir / LEARNING_CURVES_PNG, score)
    plot_cost_scatter(summary, out_dir / COST_SCATTER_PNG, score)
    curves = plot_training_curves(records, out_dir / TRAINING_CURVES_PNG)
    budget = plot_budget_curves(records, out_dir / BUDGET_CURVES_PNG)
    sections = [
        header_section(records, summary, name),
        main_table_section(summary, LEARNING_CURVES_PNG, verdicts, score, opts.margin, crossover),
        verdicts_section(summary, verdicts, opts, score),
        trust_section(flags, curves.name if curves else None),
        variance_section(records),
        budget_section(records, budget.name if budget else None),
        cost_section(records, summary, COST_SCATTER_PNG, score),
        overfit_section(summary, score),
        drift_section(records, score),
        hparams_section(records, summary, sweep_dir, score),
        _findings_section(summary, verdicts, opts, flags, crossover),
        _appendix(sweep_text),
    ]
    report = out_dir / "report.md"
    report.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return report
