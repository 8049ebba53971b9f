"""The pilot's sweep file: plain keys the sweep machinery reads today, and every cell composes."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.advise.pilot.plan import PilotPlan
from harness.advise.pilot.sweepfile import pilot_sweep

PLAN = PilotPlan(("full", "lora", "bitfit", "head_only"), (40, 120), 80, 3, 4, 2, 600.0, 900.0)


def test_the_sweep_file_loads_and_every_cell_composes(
    tmp_path: Path, local_dataset: object
) -> None:
    from harness.config import load_spec
    from harness.sweep.spec import load_sweep

    data = local_dataset("csv", n_train=200, n_test=40)  # type: ignore[operator]
    sweep = pilot_sweep(
        PLAN, "pilot-x", ["model=tiny", *data], tmp_path / "sweep", "val_macro_f1", 0.5
    )
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(sweep, sort_keys=False), encoding="utf-8")
    spec = load_sweep(path)
    assert len(spec.cells) == 8 and spec.n_trials == 3 and len(spec.seeds) == 4
    assert spec.seeds_max == 10  # more runs where undecided, while the deadline allows
    assert spec.data_seeds == list(range(10)) and spec.workers == 2
    assert spec.metric == "val_macro_f1" and spec.margin == 0.5
    assert spec.out == tmp_path / "sweep" and spec.tracker["name"] == "none"
    assert [r.name for r in spec.space_for(spec.cells[0])] == ["lr"]  # a learning-rate search only
    for cell in spec.cells:
        lr = {r.name: r for r in spec.space_for(cell)}["lr"]
        trial = load_spec(
            [*spec.trial_base, *cell.overrides(), f"optimizer.lr={lr.low}", "tracker=none"]
        )
        assert trial.train.max_steps == 80


def test_the_learning_rate_ranges_follow_the_strategy(tmp_path: Path) -> None:
    sweep = pilot_sweep(PLAN, "p", [], tmp_path)
    space = sweep["search"]["strategy_space"]
    assert (
        sweep["search"]["space"]["lr"]["high"]
        < space["lora"]["lr"]["high"]
        < space["head_only"]["lr"]["high"]
    )
    assert "report" not in sweep  # no margin given: the default
