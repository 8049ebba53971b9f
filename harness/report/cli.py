"""`harness report SWEEP [SWEEP ...] [out=DIR]`: each SWEEP a sweep output folder or
`sweeps/<name>.yaml`; several are combined into one report with a cross-dataset section."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report.build import build_report
from harness.report.errors import ReportError
from harness.report.paths import read_sweep_yaml, resolve_sweep_dir

__all__ = ["HELP", "USAGE", "run_report_command"]

USAGE = (
    "usage: harness report SWEEP_DIR|SWEEP_YAML [SWEEP_DIR|SWEEP_YAML ...] [out=DIR] "
    "[report.margin=POINTS] [report.alpha=A] [sweep=NAME]  (default out: reports/<sweep name>, "
    "reports/<name>+<name> for combined sweeps; sweep=NAME: that sweep's records of a folder "
    "holding two)"
)
_OVERRIDES = ("out", "report.margin", "report.alpha", "sweep")
HELP = f"""{USAGE}

Builds the report from the sweep's records on disk (never from MLflow): what ran, every cell's
confirmed test score against full fine-tuning with a verdict (better / worse / equivalent within
report.margin points / undecided), trust checks, cost, and findings.

arguments:
  SWEEP_DIR|SWEEP_YAML  a sweep's output folder (runs/<name>, holding records/ and sweep.yaml),
                        or its sweep file (sweeps/<name>.yaml: its `out` folder is read); several
                        make one report with a section across datasets
  out=DIR               where to write (default reports/<name>)
  report.margin=POINTS  what 'equivalent' means, in points of the test metric (default: the sweep
                        file's report.margin, else 1.0)
  report.alpha=A        family-wise error rate of the verdicts (default 0.05)
  sweep=NAME            only that sweep's records, when one folder holds records of two sweeps

writes, in DIR:
  report.md             the report; the figures below are linked from it
  learning_curves.png   test score against training-set size, per strategy (a panel per dataset)
  cost_scatter.png      test score against training cost, with the cheapest-for-its-score front
  training_curves.png   validation curves of the confirmation runs
  budget_curves.png     where runs stopped against their step budget
  verdicts.csv          every comparison with its interval and test
  records.csv/.parquet  one row per trial, for slicing the data yourself
and logs them to the sweep's MLflow experiment (a `report` run; each cell's parent run gets
verdict_vs_full and diff_vs_full)."""


def _parse(args: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Sweep arguments plus key=value overrides; anything else is a usage error."""
    positional = [a for a in args if "=" not in a or Path(a).exists()]
    overrides = dict(a.split("=", 1) for a in args if a not in positional)
    unknown = sorted(set(overrides) - set(_OVERRIDES))
    if unknown:
        raise ReportError(
            f"unknown override(s) {', '.join(unknown)}; allowed: {', '.join(_OVERRIDES)}"
        )
    if not positional:
        raise ReportError("expected at least one sweep folder or sweep file, got 0")
    return positional, overrides


def _name(sweep_dir: Path) -> str:
    """The sweep's name: from its sweep file, else the folder's."""
    return str(read_sweep_yaml(sweep_dir)[0].get("name") or sweep_dir.name)


def _plain(names: list[str]) -> list[str]:
    """Sweep names name the report's folder: a path there is refused rather than followed."""
    for name in names:
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ReportError(f"sweep name {name!r} is a path, not a name: set out=DIR")
    return names


def _log_to_mlflow(meta: dict[str, object], report: Path, sweep_dir: Path) -> str | None:
    """Attach the report and its figures to the sweep's MLflow experiment (one `report` run),
    in the sweep's own store (its `tracker.uri`, else $MLFLOW_TRACKING_URI, else beside it)."""
    raw = meta.get("tracker")
    tracker: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if tracker.get("name") == "none" or not meta.get("name"):
        return None
    from harness.tracking import MlflowTracker, sweep_uri

    uri = sweep_uri(sweep_dir, tracker.get("uri"))
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_file():
        return None  # the sweep logged to no store here: none is made for the report alone
    mlflow = MlflowTracker(uri, f"sweep-{meta['name']}")
    run_id = mlflow.report_run(str(meta["name"]))
    for path in sorted(report.parent.iterdir()):
        if path.suffix in (".md", ".png", ".csv"):
            mlflow.log_artifact(run_id, path)
    _verdicts_to_cells(mlflow, report.parent / "verdicts.csv")
    return f"{mlflow.uri} (run {run_id})"


def _verdicts_to_cells(mlflow: Any, table: Path) -> None:
    """Each partial cell's verdict against full on the cell's parent run: tag `verdict_vs_full`,
    metrics `diff_vs_full` and its 95 % interval, so the runs table compares cells. In MLflow
    every score is a fraction, as in the records: verdicts.csv's points are divided by 100."""
    import pandas as pd

    verdicts = pd.read_csv(table, keep_default_na=False)
    cells = mlflow.cell_runs()
    for row in verdicts[verdicts["family"] == "vs full"].to_dict("records"):
        want = {"strategy": str(row["strategy"]), "train_size": str(int(row["train_size"]))}
        pairs = [kv.partition("=") for kv in str(row["group"]).split(",") if "=" in kv]
        want.update({k: v for k, _, v in pairs})
        for run_id, tags in cells:
            if all(tags.get(k) == v for k, v in want.items()):
                mlflow.set_tags(run_id, {"verdict_vs_full": str(row["verdict"])})
                numbers = {
                    "diff_vs_full": row["diff"],
                    "diff_vs_full_ci_low": row["ci_low"],
                    "diff_vs_full_ci_high": row["ci_high"],
                }
                fractions = {k: float(v) / 100 for k, v in numbers.items() if v != ""}
                mlflow.log_summary(run_id, {}, fractions)


def run_report_command(args: Sequence[str]) -> int:
    """Render the report and print where it went; bad input prints one line and returns 2."""
    try:
        targets, overrides = _parse(args)
        sweep_dirs = [resolve_sweep_dir(t) for t in targets]
        pick = overrides.get("sweep")
        names = _plain([pick] if pick else [_name(d) for d in sweep_dirs])
        out_dir = Path(overrides.get("out") or Path("reports") / "+".join(names))
        stats = {k: v for k, v in overrides.items() if k.startswith("report.")}
        report = build_report(sweep_dirs, out_dir, stats, pick)
    except ReportError as exc:
        print(f"error: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    print(f"report: {report}")
    print(f"figures and records.csv/.parquet: {out_dir}")
    if len(sweep_dirs) > 1 or (pick and pick != _name(sweep_dirs[0])):
        return 0  # combined sweeps (or one whose sweep file is not here) have no one experiment
    try:
        logged = _log_to_mlflow(read_sweep_yaml(sweep_dirs[0])[0], report, sweep_dirs[0])
    except Exception as exc:  # noqa: BLE001 - the report on disk is the product; MLflow is a sink
        print(
            f"warning: report not logged to MLflow ({type(exc).__name__}: {exc})", file=sys.stderr
        )
    else:
        if logged:
            print(f"mlflow: {logged}")
    return 0
