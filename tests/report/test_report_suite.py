"""The multi-dataset fixture: its golden report, its generator, and the suite sweep file.

Regenerate the golden after an intended change: `UPDATE_GOLDEN=1 .venv/bin/pytest tests/report`.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from test_report_golden import assert_matches_golden

ROOT = Path(__file__).resolve().parents[2]
SUITE_GOLDEN = ROOT / "tests" / "fixtures" / "report" / "suite" / "golden_report.md"


def test_suite_report_matches_golden(built_suite_report: Path) -> None:
    actual = built_suite_report.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        SUITE_GOLDEN.write_text(actual, encoding="utf-8")
    assert_matches_golden(actual, SUITE_GOLDEN.read_text(encoding="utf-8"))


def test_suite_golden_covers_every_verdict_and_both_views() -> None:
    text = SUITE_GOLDEN.read_text(encoding="utf-8")
    for verdict in ("▲ better", "≈ equivalent", "▼ worse", "? undecided"):
        assert verdict in text
    for heading in (
        "## Across datasets",
        "### Average ranks",
        "### Bayesian signed-rank test",
        "### Crossover per dataset",
        "## Per-class results (multi-class tasks)",
    ):
        assert f"\n{heading}" in text
    assert "](critical_difference.png)" in text and "](confusion_matrix_trec.png)" in text


def test_suite_generator_reproduces_committed_records(
    tmp_path: Path, make_suite: ModuleType, suite_sweep: Path
) -> None:
    fresh = make_suite.main(tmp_path / "sweep")
    committed = sorted(p.relative_to(suite_sweep) for p in suite_sweep.rglob("*") if p.is_file())
    regenerated = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert committed == regenerated
    assert len([p for p in committed if p.suffix == ".json"]) == 3 * 3 * 2 * (2 + 3)
    for rel in committed:
        assert (fresh / rel).read_bytes() == (suite_sweep / rel).read_bytes(), rel


def test_suite_sweep_file_covers_the_six_datasets_within_budget() -> None:
    from harness.sweep.spec import load_sweep

    spec = load_sweep(ROOT / "sweeps" / "suite.yaml")
    datasets = spec.grid["dataset"]
    assert datasets == ["sst2", "sst5", "trec", "subj", "cr", "mpqa"]
    assert all((ROOT / "conf" / "dataset" / f"{d}.yaml").is_file() for d in datasets)
    assert spec.metric == "val_macro_f1"
    assert "full" in spec.grid["strategy"] and len(spec.cells) == 36
    trials = len(spec.cells) * (spec.n_trials + len(spec.seeds))
    assert trials <= 330  # the budget comment's estimate: 36 cells x (6 search + 3 confirmation)


def test_every_suite_cell_composes() -> None:
    from harness.sweep.cli import _preflight
    from harness.sweep.spec import load_sweep

    _preflight(load_sweep(ROOT / "sweeps" / "suite.yaml"))  # raises ConfigError naming the cell
