"""Two workers on one storage: every trial is claimed, run and recorded exactly once."""

from __future__ import annotations

import pytest
from sweeptools import SweepRun, check_sweep

from harness.sweep.study import WORKER_ID

pytestmark = pytest.mark.slow

# 2 cells x (3 search trials + 2 seeds); head_only keeps each trial short, yet there is enough
# work for the two workers to overlap on both cells and contend for the same claims (and for one
# to wait on a cell the other is finishing)
OVERRIDES = ("grid.strategy=[head_only]", "grid.train_size=[32, 64]", "workers=2")


def test_two_workers_share_the_trials_without_duplicates(tmp_path):
    run = SweepRun.make(tmp_path, overrides=OVERRIDES)
    out = run.run_here()
    spec = run.spec
    assert spec.workers == 2 and len(spec.cells) == 2

    facts = check_sweep(run)  # per cell: n_trials counted search trials, one record each
    for cell in spec.cells:
        search, confirm = run.study(cell, "search"), run.study(cell, "confirm")
        numbers = [r["trial_number"] for r in facts[cell.id]["search"].values()]
        assert len(numbers) == len(set(numbers)) == spec.n_trials
        seeds = [r["seed"] for r in facts[cell.id]["confirm"].values()]
        assert sorted(seeds) == spec.seeds
        # any claim beyond the budget was voided at once, never run
        for t in search.get_trials() + confirm.get_trials():
            if t.user_attrs.get("void"):
                assert t.user_attrs["void"] == "overflow", (cell.id, t.number, t.user_attrs)
    every = {
        t.user_attrs["worker"]
        for c in spec.cells
        for kind in ("search", "confirm")
        for t in run.study(c, kind).get_trials()
        if not t.user_attrs.get("void")
    }
    assert len(every) == 2, f"both workers should have run trials: {every}"
    assert WORKER_ID not in every  # the `harness sweep` process only prepares and waits
    assert "sweep smoke done in" in out
