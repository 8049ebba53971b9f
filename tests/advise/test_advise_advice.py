"""From a study to advice: per unit, pooled across units, and the evidence it rests on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from advise_sim import simulate_runs

from harness.advise import advise, study_from_runs

CURVE = [70.0, 76.0, 80.0]  # at 100, 300, 1000


def _truth(**gaps: float) -> dict[str, list[float]]:
    return {s: [v + gaps.get(s, 0.0) for v in CURVE] for s in ("full", "lora", "head_only")}


def _study(units: dict[str, dict[str, list[float]]], seed: int = 0, **facts: object):
    rng = np.random.default_rng(seed)
    frames = []
    for unit, truth in units.items():
        runs = simulate_runs(truth, rng, runs=10, paired_sd=2.0, noise_sd=0.3)
        frames.append(runs.assign(unit=unit))
    return study_from_runs(pd.concat(frames, ignore_index=True), **facts)


def test_predictions_interpolate_with_intervals_around_the_truth() -> None:
    advice = advise(_study({"": _truth(full=3.0)}), 500)
    unit = advice.units[0]
    truth_500 = 76.0 + (80.0 - 76.0) * np.log(500 / 300) / np.log(1000 / 300)
    full = unit.of("full")
    assert full.low < full.score < full.high
    assert full.score == pytest.approx(truth_500 + 3.0, abs=1.5)
    assert full.position.kind == "interpolation" and full.position.sizes == (300, 1000)
    assert unit.choice.strategy == "full" and advice.pooled is None and advice.agree == 1


def test_costs_at_n_come_with_each_strategy() -> None:
    unit = advise(_study({"": _truth()}), 300).units[0]
    assert unit.of("head_only").cost.train_time_s < unit.of("full").cost.train_time_s
    assert unit.of("full").cost.trainable_params == 22_000_000


def test_several_units_are_pooled_draw_by_draw_and_agreement_counted() -> None:
    # on two datasets full is clearly better, on the third all are equivalent
    study = _study(
        {"dataset=a": _truth(full=4.0), "dataset=b": _truth(full=4.0), "dataset=c": _truth()}
    )
    advice = advise(study, 300)
    assert [u.label for u in advice.units] == ["a", "b", "c"]
    assert [u.choice.strategy for u in advice.units] == ["full", "full", "head_only"]
    assert advice.pooled is not None and advice.pooled.choice.strategy == "full"
    assert advice.agree == 2
    assert advice.pooled.evidence.unit_choices == [("a", "full"), ("b", "full"), ("c", "head_only")]
    pooled_full = advice.pooled.of("full").score
    assert pooled_full == pytest.approx(np.mean([u.of("full").score for u in advice.units]))


def test_a_flagged_cell_carrying_the_recommendation_makes_it_suspect() -> None:
    flags = {("", "full", 300): ["still_improving (2 of 10 runs)"]}
    unit = advise(_study({"": _truth(full=3.0)}, flags=flags), 300).units[0]
    assert unit.choice.strategy == "full"
    assert unit.evidence.suspect == ["full@300 still_improving (2 of 10 runs)"]
    # a flag on a cell the recommendation does not rest on (another size) is not suspect
    flags = {("", "full", 100): ["near_chance (1 of 10 runs)"]}
    unit = advise(_study({"": _truth(full=3.0)}, flags=flags), 300).units[0]
    assert unit.evidence.suspect == []


def test_extrapolation_is_noted_with_how_far() -> None:
    unit = advise(_study({"": _truth()}), 4000).units[0]
    assert unit.of("lora").position.kind == "extrapolation"
    assert "lora: extrapolation, 4.0x beyond the largest studied size (1000)" in unit.evidence.notes


def test_the_report_verdicts_at_the_neighbouring_sizes_are_cited() -> None:
    from pathlib import Path

    from harness.advise import read_study

    study = read_study(Path(__file__).resolve().parents[2] / "reports" / "default")
    unit = advise(study, 500).units[0]
    chosen = unit.choice.strategy
    assert unit.evidence.verdicts
    assert all(("@300" in v or "@1000" in v) and chosen in v for v in unit.evidence.verdicts)
    assert {c.train_size for c in unit.evidence.cells} == {300, 1000}


def test_non_positive_train_size_is_refused() -> None:
    with pytest.raises(ValueError):
        advise(_study({"": _truth()}), 0)
