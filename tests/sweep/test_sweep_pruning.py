"""Pruning: the sweep's pruners, and the report hook a search trial hands to the training loop."""

from __future__ import annotations

import optuna
import pytest
import yaml
from optuna.trial import TrialState
from sweeptools import SMOKE

from harness.errors import ConfigError
from harness.record import read_record, validate_record
from harness.sweep.runner import open_sweep, run_search
from harness.sweep.spec import load_sweep
from harness.sweep.study import claim_search, make_pruner


@pytest.mark.parametrize(
    ("config", "kind"),
    [
        ({"name": "median", "n_startup_trials": 1}, optuna.pruners.MedianPruner),
        ({"name": "successive_halving"}, optuna.pruners.SuccessiveHalvingPruner),
        ({"name": "hyperband", "min_resource": 1}, optuna.pruners.HyperbandPruner),
        ({"name": "none"}, optuna.pruners.NopPruner),
    ],
)
def test_every_pruner_name_builds_its_optunamake_pruner(config, kind):
    assert type(make_pruner(config)) is kind


@pytest.mark.parametrize(
    ("config", "attr", "steps"),
    [
        ({"name": "median", "warmup_share": 0.25}, "_n_warmup_steps", 75),
        ({"name": "successive_halving", "warmup_share": 0.2}, "_min_resource", 60),
    ],
)
def test_warmup_share_is_a_share_of_the_step_budget(config, attr, steps):
    """No pruning before that share of the run: Optuna's own warm-up knob, in steps."""
    assert getattr(make_pruner(config, max_steps=300), attr) == steps


@pytest.mark.parametrize("share", [1.0, -0.1, "x"])
def test_warmup_share_outside_0_1_is_refused(tmp_path, share):
    path = tmp_path / "s.yaml"
    raw = yaml.safe_load(SMOKE.read_text())
    raw["search"]["pruner"] = {"name": "successive_halving", "warmup_share": share}
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    assert "search.pruner.warmup_share: must be in [0, 1)" in str(info.value)


def test_median_pruner_prunes_below_the_median_of_completed_trials():
    study = optuna.create_study(
        direction="maximize", pruner=make_pruner({"name": "median", "n_startup_trials": 1})
    )
    first = study.ask()
    for step in (2, 4):
        first.report(0.9, step)
    study.tell(first, 0.9)

    low, high = study.ask(), study.ask()
    low.report(0.2, 2)
    high.report(0.95, 2)
    assert low.should_prune()
    assert not high.should_prune()

    none = optuna.create_study(direction="maximize", pruner=make_pruner({"name": "none"}))
    t = none.ask()
    t.report(0.0, 2)
    assert not t.should_prune()


def test_report_hook_prunes_a_real_search_trial(tmp_path):
    """A first trial that scored 1.0 at every step makes the median unbeatable: the next real
    trial is stopped at its first evaluation, recorded as pruned, and PRUNED in Optuna."""
    spec = load_sweep(
        SMOKE,
        [
            f"out={tmp_path / 'out'}",
            f"storage=sqlite:///{tmp_path / 'study.db'}",
            "tracker.name=none",
            "grid.strategy=[full]",
            "grid.train_size=[32]",
        ],
    )
    assert spec.pruner == {"name": "median", "n_startup_trials": 1}
    sweep = open_sweep(spec)
    (cell,) = spec.cells
    study = sweep.search[cell.id]
    crafted = study.ask()
    for step in range(0, 100):
        crafted.report(1.0, step)
    study.tell(crafted, 1.0)

    trial = claim_search(study, spec.n_trials)
    assert trial is not None and trial.number == 1
    rec = run_search(sweep, cell, trial)

    assert rec["status"] == "pruned" and rec["error"] is None
    assert rec["planned_steps"] == 24 and len(rec["history"]) == 1  # pruned at the first evaluation
    assert rec["stopped_by"] == "pruned" and rec["optimizer_steps"] == rec["eval_every_steps"]
    assert rec["test_accuracy"] is None  # a pruned trial is not evaluated on the test split
    on_disk = read_record(sweep.record_path(cell, "search", "trial-0001"))
    assert validate_record(on_disk) == [] and on_disk["status"] == "pruned"
    frozen = study.get_trials()[1]
    assert frozen.state == TrialState.PRUNED
    assert frozen.intermediate_values == {
        rec["history"][0]["step"]: pytest.approx(rec["history"][0]["val_accuracy"])
    }
    assert rec["history"][0]["val_accuracy"] < 1.0
