"""Kill a sweep mid-way (Ctrl-C, then SIGKILL) and run the same command again: it finishes with
exactly the planned trials, no duplicate record and no duplicate MLflow run."""

from __future__ import annotations

import signal

import pytest
from sweeptools import SweepRun, check_sweep, interrupt_after

pytestmark = pytest.mark.slow

# one cell, 3 search trials + 2 seeds = 5 records; each interruption lands after a few of them
OVERRIDES = (
    "grid.strategy=[head_only]",
    "grid.train_size=[32]",
    "search.n_trials=3",
    "confirm.seeds=2",
)


def test_interrupted_then_killed_sweep_resumes_without_duplicates(tmp_path):
    run = SweepRun.make(tmp_path, overrides=OVERRIDES)
    (cell,) = run.spec.cells
    total = run.spec.n_trials + len(run.spec.seeds)

    code, out = interrupt_after(run, 2, signal.SIGINT)
    assert code == 130, out
    assert "interrupted: records written so far are kept" in out
    after_int = len(run.record_files())
    assert 2 <= after_int < total

    target = min(after_int + 2, total - 1)
    code, out = interrupt_after(run, target, signal.SIGKILL)
    assert code == -signal.SIGKILL, out
    after_kill = len(run.record_files())
    assert target <= after_kill < total, "the sweep finished before it was killed"

    run.run_here()
    facts = check_sweep(run)[cell.id]
    assert len(facts["search"]) == run.spec.n_trials
    assert sorted(facts["confirm"]) == ["seed-0", "seed-1"]
    assert len(run.record_files()) == total
    for kind in ("search", "confirm"):
        # every trial beyond the budget was voided (a claim given back on Ctrl-C, or a dead
        # worker's), and a voided claim is retried with the same parameters
        trials = {t.number: t for t in run.study(cell, kind).get_trials()}
        voided = [t for t in trials.values() if t.user_attrs.get("void")]
        assert all(t.user_attrs["void"] in ("interrupted", "overflow") for t in voided)
        for t in trials.values():
            if "retry_of" in t.user_attrs:
                source = trials[t.user_attrs["retry_of"]]
                assert source.user_attrs["void"] == "interrupted"
                if source.params:  # voided before it drew its parameters: drawn afresh
                    assert t.params == source.params
                assert t.user_attrs.get("seed") == source.user_attrs.get("seed")
