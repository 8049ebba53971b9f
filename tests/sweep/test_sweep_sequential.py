"""Sequential confirmation: rounds of runs are added where a comparison with full is still
undecided, up to `confirm.seeds.max` and within `budget.minutes`, each run claimed once;
decided comparisons get no more."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from recordfiles import fake_record
from sweeptools import SMOKE, SweepRun

from harness.errors import ConfigError
from harness.record import read_record, write_record
from harness.sweep.sequential import budget_left_s, grow_confirmation, open_rounds
from harness.sweep.spec import SweepSpec, load_sweep


def _spec(tmp_path: Path, *overrides: str) -> SweepSpec:
    return load_sweep(
        SMOKE,
        [f"out={tmp_path / 'out'}", "tracker.name=none", "grid.train_size=[32]", *overrides],
    )


def _write(spec: SweepSpec, strategy: str, scores: list[float], wall_s: float = 10.0) -> None:
    cell = next(c for c in spec.cells if c.as_dict["strategy"] == strategy)
    for k, score in enumerate(scores):
        seed, data_seed = spec.confirm_run(k)
        rec = fake_record(seed=seed, data_seed=data_seed, test_accuracy=score)
        rec["wall_time_s"] = wall_s
        write_record(spec.out / "records" / cell.slug / "confirm" / f"seed-{seed}.json", rec)


def _studies(spec: SweepSpec, runs: int) -> dict[str, optuna.Study]:
    studies = {}
    for cell in spec.cells:
        study = optuna.create_study(direction="maximize")
        for k in range(runs):
            seed, data_seed = spec.confirm_run(k)
            study.enqueue_trial({}, user_attrs={"seed": seed, "data_seed": data_seed})
            study.tell(study.ask(), 0.5)  # the run finished (its record is written above)
        studies[cell.id] = study
    return studies


def test_seeds_min_max_starts_with_min_and_knows_its_limit(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "confirm.seeds={min: 3, max: 6}", "confirm.data_seeds=[0, 1]")
    assert spec.seeds == [0, 1, 2] and spec.seeds_max == 6
    assert [spec.confirm_run(k) for k in range(5)] == [(0, 0), (1, 1), (2, 0), (3, 1), (4, 0)]


def test_seeds_per_draw_crosses_seeds_with_subset_draws(tmp_path: Path) -> None:
    """Run k: seed k on draw k // 2, so each draw has two seeds (seed and data variance apart)."""
    spec = _spec(
        tmp_path, "confirm.seeds={min: 4, max: 8}", "confirm.seeds_per_draw=2", "confirm.data_seeds=null"
    )
    assert [spec.confirm_run(k) for k in range(6)] == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]


@pytest.mark.parametrize(
    ("seeds", "key"),
    [("{min: 5, max: 3}", "confirm.seeds.min"), ("{min: 3, max: 101}", "confirm.seeds.max")],
)
def test_bad_seed_bounds_name_their_key(tmp_path: Path, seeds: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        _spec(tmp_path, f"confirm.seeds={seeds}")
    assert key in str(info.value)


def test_an_open_comparison_gets_one_more_run_for_both_cells(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "confirm.seeds={min: 3, max: 5}")
    _write(spec, "full", [0.80, 0.84, 0.78])
    _write(spec, "head_only", [0.79, 0.86, 0.74])  # noisy, near zero: undecided
    rounds = open_rounds(spec, spec.out / "records")
    assert [[c.as_dict["strategy"] for c in r.cells] for r in rounds] == [["full", "head_only"]]
    studies = _studies(spec, 3)
    grown = grow_confirmation(spec, studies)
    assert sorted(c.as_dict["strategy"] for c in grown) == ["full", "head_only"]
    for study in studies.values():
        assert sorted(t.user_attrs["seed"] for t in study.get_trials()) == [0, 1, 2, 3]
    assert grow_confirmation(spec, studies) == []  # run 3 is still out: decide once it is in


def test_a_decided_comparison_or_the_maximum_stops_growth(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "confirm.seeds={min: 3, max: 4}")
    _write(spec, "full", [0.80, 0.82, 0.81, 0.79])
    _write(spec, "head_only", [0.60, 0.61, 0.62, 0.60])  # 20 points worse, every run: decided
    assert open_rounds(spec, spec.out / "records") == []
    assert grow_confirmation(spec, _studies(spec, 4)) == []


def test_a_round_that_does_not_fit_the_budget_is_not_added(tmp_path: Path) -> None:
    """budget.minutes counts every record's wall time per worker: 3 + 3 runs of 100 s on one
    worker leave 10 s of a 610 s budget, less than the next round's 200 s."""
    spec = _spec(tmp_path, "confirm.seeds={min: 3, max: 5}", "budget.minutes=10.1667", "workers=1")
    _write(spec, "full", [0.80, 0.84, 0.78], wall_s=100)
    _write(spec, "head_only", [0.79, 0.86, 0.74], wall_s=100)
    studies = _studies(spec, 3)
    assert open_rounds(spec, spec.out / "records")  # still undecided
    assert 0 < budget_left_s(spec, spec.out / "records", studies) < 200
    assert grow_confirmation(spec, studies) == []
    spec = _spec(tmp_path, "confirm.seeds={min: 3, max: 5}", "budget.minutes=20", "workers=1")
    assert len(grow_confirmation(spec, _studies(spec, 3))) == 2


def test_sequential_sweep_adds_runs_and_claims_each_once(tmp_path: Path) -> None:
    run = SweepRun.make(
        tmp_path,
        overrides=("grid.train_size=[32]", "confirm.seeds={min: 2, max: 3}", "tracker=none"),
    )
    proc = run.run()
    spec = run.spec
    assert spec.seeds == [0, 1] and spec.seeds_max == 3
    for cell in spec.cells:
        files = sorted((spec.out / "records" / cell.slug / "confirm").glob("*.json"))
        seeds = [read_record(f)["seed"] for f in files]
        assert seeds == sorted(set(seeds)) and set(seeds) <= {0, 1, 2}
    open_now = open_rounds(spec, spec.out / "records")
    assert open_now == []  # decided, or at max (open_rounds leaves out sizes at the maximum)
    if "sequential confirmation" in proc.stdout:
        assert any(
            (spec.out / "records" / c.slug / "confirm" / "seed-2.json").is_file()
            for c in spec.cells
        )
