"""Render the whole comparison report for one sweep (or several combined): markdown, figures and
the tidy table. Reports that span datasets add the across-dataset section; multi-class tasks the
per-class view; a single-dataset binary sweep renders exactly as before."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from harness.report.bootstrap import example_correctness
from harness.report.budget import budget_section, plot_budget_curves
from harness.report.cdplot import plot_critical_difference
from harness.report.comparisons import analysis_plan_section, verdicts_section
from harness.report.cost import cost_section
from harness.report.crossdataset import RankTest, Suite, rank_tests, suites
from harness.report.crossdataset_section import crossdataset_section
from harness.report.crossfindings import crossdataset_findings
from harness.report.crossover import crossover_lines
from harness.report.drift import drift_section
from harness.report.ensemble import add_ensemble
from harness.report.errors import ReportError
from harness.report.findings import generate_findings
from harness.report.header import header_section
from harness.report.hparams import hparams_section
from harness.report.options import ReportOptions
from harness.report.perclass import PerClass, example_predictions, per_class
from harness.report.perclass_section import perclass_finding, perclass_section, plot_confusion
from harness.report.plots import plot_cost_scatter, plot_learning_curves
from harness.report.predictions import write_predictions
from harness.report.previous import previous_section
from harness.report.residuals import plot_residuals
from harness.report.score import Score, add_score
from harness.report.sources import Sweeps, read_sweeps
from harness.report.summary import mark_best, summarize_cells
from harness.report.tables import main_table_section, overfit_section
from harness.report.training_curves import plot_training_curves
from harness.report.trust import CellKey, budget_ended, cell_flags, trust_section
from harness.report.variance import variance_section
from harness.report.verdicts import size_analyses, verdict_table, versus_full_map

__all__ = ["build_report"]

LEARNING_CURVES_PNG = "learning_curves.png"
COST_SCATTER_PNG = "cost_scatter.png"
TRAINING_CURVES_PNG = "training_curves.png"
BUDGET_CURVES_PNG = "budget_curves.png"
RESIDUALS_PNG = "residuals.png"
CRITICAL_DIFFERENCE_PNG = "critical_difference.png"


def _findings_section(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    opts: ReportOptions,
    flags: dict[CellKey, list[str]],
    extra: list[str],
    lead: list[str] | None = None,
) -> str:
    """The generated statements, with the rules they follow stated up front."""
    intro = (
        "Generated from the verdicts above; each cites the cells (`strategy@train_size`) it rests on "
        "and states its verdict and interval. 'Within 1 point' in the cost statements compares means "
        "only; a finding resting on a flagged cell (see Trust) is marked *suspect*."
    )
    lines = [*(lead or []), *generate_findings(summary, verdicts, opts.margin, flags, extra)]
    items = "\n".join(f"- {line}" for line in lines)
    return "\n\n".join(["## Findings", intro, items or "- No finished cells: nothing to conclude."])


def _appendix(sweeps: Sweeps) -> str:
    """The sweep file(s) as run, verbatim, so the report is self-describing."""
    if not sweeps.combined:
        text = sweeps.texts[0]
        if text is None:
            return "## Sweep file\n\nNo `sweep.yaml` in the sweep folder."
        return f"## Sweep file\n\n<details><summary>sweep.yaml as run</summary>\n\n```yaml\n{text.rstrip()}\n```\n\n</details>"
    parts = ["## Sweep files"]
    for folder, text in zip(sweeps.dirs, sweeps.texts, strict=True):
        if text is None:
            parts.append(f"No `sweep.yaml` in `{folder.name}`.")
        else:
            parts.append(
                f"<details><summary>{folder.name}/sweep.yaml as run</summary>\n\n```yaml\n{text.rstrip()}\n```\n\n</details>"
            )
    return "\n\n".join(parts)


def _write_table(records: pd.DataFrame, out_dir: Path) -> None:
    """The tidy table beside the report, for anyone who wants to slice it differently."""
    records.to_csv(out_dir / "records.csv", index=False)
    records.to_parquet(out_dir / "records.parquet", index=False)


def _across(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    opts: ReportOptions,
    score: Score,
    out_dir: Path,
    flags: dict[CellKey, list[str]],
) -> tuple[list[str], list[str]]:
    """The across-dataset section and its findings; nothing when the report has one dataset."""
    found: list[Suite] = suites(summary)
    if not found:
        return [], []
    tests: dict[str, list[RankTest]] = {s.rest: rank_tests(summary, s, opts.alpha) for s in found}
    every = [t for s in found for t in tests[s.rest]]
    figure = plot_critical_difference(every, out_dir / CRITICAL_DIFFERENCE_PNG)
    section = crossdataset_section(
        summary, verdicts, tests, found, opts, figure.name if figure else None, score
    )
    return [section], crossdataset_findings(summary, verdicts, tests, found, opts.margin, flags)


def _previous(summary: pd.DataFrame, opts: ReportOptions, score: Score) -> list[str]:
    """The comparison with a previous study's cells, when the sweep file names one."""
    if not opts.previous:
        return []
    path = Path(opts.previous)
    if not path.is_file():
        raise ReportError(f"report.previous: no such file: {path}")
    return [previous_section(summary, path, score=score)]


def _per_class(found: list[PerClass], score: Score, out_dir: Path) -> tuple[list[str], list[str]]:
    """The per-class section, its figures and one finding per task; nothing for binary tasks."""
    if not found:
        return [], []
    for pc in found:
        plot_confusion(pc, out_dir)
    return [perclass_section(found, score)], [perclass_finding(pc) for pc in found]


def _unreadable_section(bad: list[str]) -> list[str]:
    """The record files left out (unparsable JSON, not an object): said in the report itself."""
    if not bad:
        return []
    items = "\n".join(f"- {b}" for b in bad)
    return [
        f"## Unreadable records\n\n{len(bad)} record file(s) could not be read; they are left "
        f"out of every table, figure and statistic below:\n\n{items}"
    ]


def build_report(
    sweep_dirs: Path | Sequence[Path],
    out_dir: Path,
    overrides: dict[str, str] | None = None,
    sweep: str | None = None,
) -> Path:
    """Answer 'when does full fine-tuning pay?' from one or more sweeps' records; returns report.md.
    `sweep`: only that sweep's records (a folder that holds two sweeps' records)."""
    dirs = [Path(sweep_dirs)] if isinstance(sweep_dirs, (str, Path)) else sweep_dirs
    sweeps = read_sweeps(dirs, sweep)
    out_dir = Path(out_dir)
    score, opts = sweeps.score(), sweeps.options(overrides)
    raw, unreadable = sweeps.load()
    correct = example_correctness(raw) if score.name == "accuracy" else {}
    predictions = example_predictions(raw)
    records = add_score(add_ensemble(raw), score)
    summary = summarize_cells(records, sweeps.grid())
    if summary.empty:
        raise ReportError(
            f"{', '.join(str(d) for d in sweeps.dirs)}: no record names a strategy and train size"
        )
    verdicts = verdict_table(summary, opts, correct)
    out_dir.mkdir(parents=True, exist_ok=True)
    verdicts.to_csv(out_dir / "verdicts.csv", index=False)  # every comparison, for pandas users
    summary = mark_best(summary, versus_full_map(verdicts))
    analyses = size_analyses(summary)
    flags = cell_flags(records, summary)
    crossover = crossover_lines(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_table(records, out_dir)
    write_predictions(raw, out_dir)  # what the tidy table leaves out, for re-analysis
    plot_learning_curves(summary, out_dir / LEARNING_CURVES_PNG, score)
    plot_cost_scatter(summary, out_dir / COST_SCATTER_PNG, score)
    curves = plot_training_curves(records, out_dir / TRAINING_CURVES_PNG)
    budget = plot_budget_curves(records, out_dir / BUDGET_CURVES_PNG)
    residuals = plot_residuals(analyses, out_dir / RESIDUALS_PNG)
    across, across_findings = _across(summary, verdicts, opts, score, out_dir, flags)
    classes, class_findings = _per_class(per_class(summary, predictions), score, out_dir)
    sections = [
        header_section(records, summary, sweeps.name),
        *_unreadable_section(unreadable),
        analysis_plan_section(opts, score),
        main_table_section(summary, LEARNING_CURVES_PNG, score, opts.margin, crossover),
        verdicts_section(summary, verdicts, opts, score, analyses, residuals),
        *across,
        *classes,
        trust_section(flags, curves.name if curves else None, budget_ended(records)),
        variance_section(records),
        budget_section(records, budget.name if budget else None),
        cost_section(records, summary, COST_SCATTER_PNG, score),
        overfit_section(summary, score),
        drift_section(records, score),
        hparams_section(records, summary, sweeps.dirs, score),
        *_previous(summary, opts, score),
        _findings_section(
            summary, verdicts, opts, flags, [*crossover, *class_findings], across_findings
        ),
        _appendix(sweeps),
    ]
    report = out_dir / "report.md"
    report.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return report
