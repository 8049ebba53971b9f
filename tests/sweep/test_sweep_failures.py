"""A failing trial is a record, not a crash: the sweep goes on with the other trials and cells."""

from __future__ import annotations

import pytest
import yaml
from optuna.trial import TrialState
from sweeptools import SweepRun, check_sweep

pytestmark = pytest.mark.slow

# SGD at lr 1e20..1e30 blows the loss up to NaN in its first steps: NonFiniteLoss, every time
SWEEP = {
    "name": "failing",
    "base": [
        "model=tiny",
        "dataset.val_size=64",
        "train.epochs=2",
        "train.batch_size=16",
        "optimizer=sgd",
    ],
    "grid": {"strategy": ["full", "head_only"], "train_size": [32]},
    "search": {
        "n_trials": 2,
        "space": {"lr": {"low": 1.0e-3, "high": 1.0e-2, "log": True}},
        "strategy_space": {"full": {"lr": {"low": 1.0e20, "high": 1.0e30, "log": True}}},
        "sampler": {"name": "random", "seed": 0},
        "pruner": {"name": "none"},
    },
    "confirm": {"seeds": 1},
}


def test_failed_trials_are_recorded_and_the_other_cells_finish(tmp_path):
    file = tmp_path / "failing.yaml"
    file.write_text(yaml.safe_dump(SWEEP), encoding="utf-8")
    run = SweepRun.make(tmp_path, file=file)
    out = run.run_here()

    facts = check_sweep(run)  # records, Optuna and MLflow agree on the failures too
    broken, fine = (facts[c.id] for c in run.spec.cells)
    assert [c.as_dict["strategy"] for c in run.spec.cells] == ["full", "head_only"]

    # the absurd cell: every search trial failed with its error, nothing to confirm
    assert len(broken["search"]) == 2
    for rec in broken["search"].values():
        assert rec["status"] == "failed"
        assert rec["error"].startswith("NonFiniteLoss: training loss is")
        assert 1e20 <= rec["lr"] <= 1e30
    study = broken["study"]
    assert [t.state for t in study.get_trials()] == [TrialState.FAIL, TrialState.FAIL]
    assert all(t.user_attrs["error"].startswith("NonFiniteLoss") for t in study.get_trials())
    assert broken["best"] is None and broken["confirm"] == {}
    assert not (run.records_dir / run.spec.cells[0].slug / "confirm").exists()

    # the sane cell ran its search and its confirmation as if nothing happened
    assert all(r["status"] == "completed" for r in fine["search"].values())
    assert sorted(fine["confirm"]) == ["seed-0"]
    assert all(1e-3 <= r["lr"] <= 1e-2 for r in fine["search"].values())

    assert "search #0: failed NonFiniteLoss" in out
    assert "2 failed" in out
