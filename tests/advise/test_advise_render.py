"""What advise prints and writes: the screen, advice.md, the figure and the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from advise_sim import simulate_runs

from harness.advise import Advice, advise, study_from_runs
from harness.advise.jsonout import advice_dict
from harness.advise.markdown import advice_markdown
from harness.advise.plot import plot_advice
from harness.advise.screen import screen_text

CURVE = [70.0, 76.0, 80.0]


@pytest.fixture(scope="module")
def one() -> Advice:
    truth = {"full": [v + 3 for v in CURVE], "lora": CURVE, "head_only": CURVE}
    runs = simulate_runs(truth, np.random.default_rng(0), runs=5, paired_sd=2.0, noise_sd=0.3)
    return advise(study_from_runs(runs, name="toy", machine="cpu, 2 CPU cores"), 500)


@pytest.fixture(scope="module")
def suite() -> Advice:
    rng = np.random.default_rng(1)
    frames = [
        simulate_runs({s: CURVE for s in ("full", "head_only")}, rng, runs=4).assign(
            unit=f"dataset={d}"
        )
        for d in ("x", "y")
    ]
    return advise(study_from_runs(pd.concat(frames, ignore_index=True), name="toys"), 300)


def test_the_screen_leads_with_the_recommendation_and_fits_one_screen(one: Advice) -> None:
    text = screen_text(one, Path("out"))
    lines = text.splitlines()
    assert lines[0].startswith("harness advise: toy") and "train_size=500" in lines[0]
    assert "RECOMMENDATION: full" in text and "Sure:" in text
    assert "interpolation between the studied sizes 300 and 1000" in text
    row = next(line for line in lines if line.startswith("> full"))
    s = one.units[0].of("full")
    assert f"{s.score:.1f} ({s.low:.1f} to {s.high:.1f})" in row
    assert len(lines) <= 25 and max(len(line) for line in lines) <= 110
    assert "cpu, 2 CPU cores" in " ".join(text.split()) and "out/advice.md" in text


def test_the_screen_of_a_suite_says_how_many_datasets_agree(suite: Advice) -> None:
    text = screen_text(suite)
    assert "2 datasets, pooled" in text
    assert f"Datasets agreeing: {suite.agree} of 2 (x: " in text


def test_advice_md_has_the_rule_the_tables_the_cells_and_the_method(one: Advice) -> None:
    md = advice_markdown(one, "learning_curves.png", ["Pilot on my.csv"])
    assert md.startswith("# Advice: toy at 500 training examples")
    assert "    Pilot on my.csv" in md
    assert "**Rule**: the cheapest strategy" in md
    assert "![learning curves](learning_curves.png)" in md
    assert "| **full** |" in md and "| full@300 | 5 |" in md
    assert "How the numbers are made" in md and "2000 draws" in md


def test_json_carries_every_number_and_no_nan(one: Advice, suite: Advice) -> None:
    data = json.loads(json.dumps(advice_dict(one), allow_nan=False))
    assert data["recommendation"] == "full" and data["train_size"] == 500
    assert data["pooled"] is None and data["n_units"] == 1
    full = next(s for s in data["units"][0]["strategies"] if s["strategy"] == "full")
    assert full["low"] < full["score"] < full["high"]
    assert {"train_time_s", "peak_memory_mb", "trainable_params", "checkpoint_mb"} <= set(full)
    assert full["sizes_used"] == [300, 1000]
    pooled = advice_dict(suite)["pooled"]
    assert pooled["label"] == "pooled over 2" and len(pooled["unit_choices"]) == 2


def test_the_figure_is_written(one: Advice, suite: Advice, tmp_path: Path) -> None:
    for advice, name in ((one, "one.png"), (suite, "suite.png")):
        path = plot_advice(advice, tmp_path / name)
        assert path.stat().st_size > 10_000
