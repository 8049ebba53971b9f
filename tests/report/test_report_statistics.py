"""The pure statistics behind the verdicts: Holm, bootstrap, variance, budget, trust, crossover."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.report.bootstrap import hierarchical_bootstrap, run_bootstrap
from harness.report.budget import expected_max
from harness.report.crossover import first_crossing
from harness.report.load import load_records
from harness.report.trust import budget_ended, cell_flags, trust_section
from harness.report.variance import one_way_components


def test_hierarchical_bootstrap_adds_test_set_noise_to_run_noise() -> None:
    rng = np.random.default_rng(0)
    a = [(rng.random(400) < 0.80).astype(np.int8) for _ in range(5)]
    b = [(rng.random(400) < 0.75).astype(np.int8) for _ in range(5)]
    low, high = hierarchical_bootstrap(a, b)
    assert low < 5.0 < high and high - low > 2.0
    diffs = [100 * (x.mean() - y.mean()) for x, y in zip(a, b, strict=True)]
    assert run_bootstrap(diffs)[0] <= np.mean(diffs) <= run_bootstrap(diffs)[1]


def test_variance_components_recover_a_data_effect() -> None:
    groups = np.repeat(np.arange(6), 4)
    rng = np.random.default_rng(1)
    values = rng.normal(0, 3.0, size=6)[groups] + rng.normal(0, 0.5, size=24)
    between, within = one_way_components(values, groups)  # type: ignore[misc]
    assert between > 10 * within
    assert one_way_components(values[:6], np.arange(6)) is None  # one run per group: confounded


def test_expected_max_goes_from_the_mean_to_the_max() -> None:
    v = np.array([0.6, 0.7, 0.9])
    assert expected_max(v, 1) == pytest.approx(v.mean())
    assert expected_max(v, 200) == pytest.approx(0.9, abs=1e-6)
    assert expected_max(v, 2) < expected_max(v, 3)


def test_crossover_interpolates_in_log_size() -> None:
    sizes = np.array([100.0, 10000.0])
    assert first_crossing(sizes, np.array([-1.0, 1.0])) == pytest.approx(1000.0)
    assert math.isnan(first_crossing(sizes, np.array([-1.0, -0.5])))
    assert first_crossing(sizes, np.array([1.0, 2.0])) == -math.inf


def test_flags_are_counted_per_cell_and_falling_curves_are_found() -> None:
    summary = pd.DataFrame(
        [
            {
                "group": "",
                "strategy": "full",
                "train_size": 100,
                "state": "ok",
                "seed_acc": {(s, 0): 0.80 + 0.001 * s for s in range(4)},
            },
            {
                "group": "",
                "strategy": "full",
                "train_size": 300,
                "state": "ok",
                "seed_acc": {(s, 0): 0.70 + 0.001 * s for s in range(4)},
            },
        ]
    )
    records = pd.DataFrame(
        {
            "group": "",
            "grid_strategy": "full",
            "grid_train_size": [100, 100, 300],
            "phase": "confirm",
            "status": "completed",
            "flags": [json.dumps(["still_improving"]), None, "[]"],
        }
    )
    flags = cell_flags(records, summary)
    assert flags[("", "full", 100)] == ["still_improving (1 of 2 runs)"]
    assert flags[("", "full", 300)][0].startswith("curve_falls (below full@100 by 10.0 points")


def test_runs_the_step_budget_ended_are_counted_per_cell_and_named() -> None:
    """Confirmation runs stopped by max_steps (no plateau yet) are named per cell, search runs and
    plateau stops are not; without any, the Trust section says nothing about the budget."""
    records = pd.DataFrame(
        {
            "group": "",
            "grid_strategy": ["lora", "lora", "lora", "full", "full"],
            "grid_train_size": 1000,
            "phase": ["confirm", "confirm", "search", "confirm", "confirm"],
            "status": "completed",
            "stopped_by": ["max_steps", "plateau", "max_steps", "plateau", "plateau"],
        }
    )
    assert budget_ended(records) == {("", "lora", 1000): "1 of 2"}
    assert "lora@1000 (1 of 2)" in trust_section({}, None, budget_ended(records))
    plateau = records.assign(stopped_by="plateau")
    assert budget_ended(plateau) == {} and "the step budget ended" not in trust_section(
        {}, None, {}
    )


def test_old_records_pair_by_the_configs_data_seed(tmp_path: Path) -> None:
    folder = tmp_path / "records" / "strategy=full,train_size=100" / "confirm"
    folder.mkdir(parents=True)
    (folder / "seed-0.json").write_text(
        json.dumps({"seed": 0, "config": {"dataset": {"data_seed": 7}}})
    )
    (folder / "seed-1.json").write_text(json.dumps({"seed": 1}))
    (folder / "seed-2.json").write_text(json.dumps({"seed": 2, "data_seed": 3}))
    assert sorted(load_records(tmp_path)["data_seed"].tolist()) == [0, 3, 7]
