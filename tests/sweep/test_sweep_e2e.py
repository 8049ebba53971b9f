"""`harness sweep sweeps/smoke.yaml` end to end: records, the Optuna study and MLflow agree."""

from __future__ import annotations

import statistics

import pytest
from optuna.trial import TrialState
from sweeptools import check_sweep

pytestmark = pytest.mark.slow


def test_records_optuna_and_mlflow_agree(smoke_run):
    run, proc = smoke_run
    facts = check_sweep(run)
    spec = run.spec
    assert [c.id for c in spec.cells] == [
        "strategy=full,train_size=32",
        "strategy=head_only,train_size=32",
    ]
    for cell in spec.cells:
        # the smoke cells learn something: every cell has a best trial and its confirmations
        assert facts[cell.id]["best"] is not None
        assert len(facts[cell.id]["confirm"]) == len(spec.seeds) == 2
    assert len(run.record_files()) == len(spec.cells) * (spec.n_trials + len(spec.seeds))


def test_prints_where_everything_is(smoke_run):
    run, proc = smoke_run
    lines = proc.stdout.splitlines()
    assert f"records: {run.root / 'out' / 'records'}" in lines
    assert f"storage: sqlite:///{run.root / 'study.db'}" in lines
    assert f"mlflow: sqlite:///{run.root / 'mlflow.db'}" in lines
    # one progress line per trial run, and the summary
    assert sum(" search #" in line for line in lines) == 2 * run.spec.n_trials
    assert any(line.startswith("sweep smoke done in") for line in lines)
    assert (run.root / "out" / "sweep.yaml").is_file()


def test_median_pruner_prunes_during_the_smoke_sweep(smoke_run):
    """The smoke sweep's pruner (median, 1 startup trial) stops trials that fall below the median
    of the earlier completed trials at the same step (that they are stopped before their last
    epoch is checked, deterministically, in test_sweep_pruning.py)."""
    run, _ = smoke_run
    pruned = [
        (cell, rec)
        for cell in run.spec.cells
        for rec in run.records(cell, "search").values()
        if rec["status"] == "pruned"
    ]
    assert pruned, "no search trial of the smoke sweep was pruned"
    for cell, rec in pruned:
        assert rec["error"] is None and rec["test_accuracy"] is None
        assert len(rec["history"]) >= 1 and rec["stopped_by"] == "pruned"
        assert rec["optimizer_steps"] < rec["planned_steps"] == 24  # stopped before the budget
        trials = {t.number: t for t in run.study(cell, "search").get_trials()}
        trial = trials[rec["trial_number"]]
        # what the loop reported is what Optuna holds, step by step
        assert trial.intermediate_values == {
            row["step"]: pytest.approx(row["val_accuracy"]) for row in rec["history"]
        }
        step = rec["history"][-1]["step"]
        earlier = [
            t.intermediate_values[step]
            for t in trials.values()
            if t.number < trial.number and t.state == TrialState.COMPLETE
        ]
        assert earlier, "pruned without a completed trial to compare with"
        assert max(row["val_accuracy"] for row in rec["history"]) < statistics.median(earlier)


def test_second_run_does_nothing(smoke_run):
    """Re-running a finished sweep writes no record, no trial and no MLflow run."""
    run, _ = smoke_run
    before = run.snapshot()
    proc = run.run()
    assert run.snapshot() == before
    assert " search #" not in proc.stdout and " confirm seed=" not in proc.stdout
    assert f"records: {run.root / 'out' / 'records'}" in proc.stdout.splitlines()


def test_the_report_puts_each_cells_verdict_on_its_parent_run(smoke_run, tmp_path):
    """`harness report` on a sweep: verdicts.csv beside the report, and each partial cell's
    verdict against full (with the difference and its interval) on the cell's MLflow parent run."""
    import mlflow
    import pandas as pd

    from harness.cli import main

    run, _ = smoke_run
    assert main(["report", str(run.root / "out"), f"out={tmp_path / 'report'}"]) == 0
    verdicts = pd.read_csv(tmp_path / "report" / "verdicts.csv")
    vs_full = verdicts[verdicts["family"] == "vs full"]
    assert list(vs_full["strategy"]) == ["head_only"]
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run.root / 'mlflow.db'}")
    exp = client.get_experiment_by_name("sweep-smoke")
    cells = client.search_runs([exp.experiment_id], filter_string="tags.phase = 'cell'")
    tagged = {r.data.tags["strategy"]: r for r in cells}
    assert (
        set(tagged) == {"full", "head_only"} and "verdict_vs_full" not in tagged["full"].data.tags
    )
    head = tagged["head_only"].data
    assert head.tags["verdict_vs_full"] == vs_full["verdict"].iloc[0]
    # a fraction in MLflow, as every score there (verdicts.csv: points)
    assert head.metrics["diff_vs_full"] == pytest.approx(vs_full["diff"].iloc[0] / 100)
