"""Render the whole comparison report for one sweep: markdown, figures and the tidy table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from harness.report.cost import cost_section
from harness.report.drift import drift_section
from harness.report.ensemble import add_ensemble
from harness.report.errors import ReportError
from harness.report.findings import generate_findings
from harness.report.header import header_section
from harness.report.hparams import hparams_section
from harness.report.load import load_records
from harness.report.paths import read_sweep_yaml
from harness.report.plots import plot_cost_scatter, plot_learning_curves
from harness.report.score import Score, add_score, score_of
from harness.report.stats import NOISE_TEST_TEXT
from harness.report.summary import grid_from_sweep, mark_best, summarize_cells
from harness.report.tables import main_table_section, overfit_section

__all__ = ["build_report"]

LEARNING_CURVES_PNG = "learning_curves.png"
COST_SCATTER_PNG = "cost_scatter.png"


def _findings_section(summary: pd.DataFrame, score: Score) -> str:
    """The generated statements, with the rules they follow stated up front."""
    intro = (
        "Generated from the tables above; each cites the cells (`strategy@train_size`) it rests on. "
        f"'Beyond noise' means the noise test under Test {score.label} at p<0.05; 'within 1 point' compares means "
        "only and is not a noise test."
    )
    items = "\n".join(f"- {line}" for line in generate_findings(summary))
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


def build_report(sweep_dir: Path, out_dir: Path) -> Path:
    """Answer 'when does full fine-tuning pay?' from a sweep's records; returns report.md."""
    sweep_dir, out_dir = Path(sweep_dir), Path(out_dir)
    meta, sweep_text = read_sweep_yaml(sweep_dir)
    score = score_of(meta)
    records = add_score(add_ensemble(load_records(sweep_dir)), score)
    name = str(meta.get("name") or sweep_dir.name)
    summary = summarize_cells(records, grid_from_sweep(meta))
    if summary.empty:
        raise ReportError(f"{sweep_dir}: no record names a strategy and train size")
    summary = mark_best(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_table(records, out_dir)
    plot_learning_curves(summary, out_dir / LEARNING_CURVES_PNG, score)
    plot_cost_scatter(summary, out_dir / COST_SCATTER_PNG, score)
    sections = [
        header_section(records, summary, name),
        main_table_section(summary, LEARNING_CURVES_PNG, NOISE_TEST_TEXT, score),
        cost_section(records, summary, COST_SCATTER_PNG, score),
        overfit_section(summary, score),
        drift_section(records, score),
        hparams_section(records, summary, sweep_dir, score),
        _findings_section(summary, score),
        _appendix(sweep_text),
    ]
    report = out_dir / "report.md"
    report.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return report
