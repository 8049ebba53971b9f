"""The progress line speaks the sweep's selection metric (entity F1 for NER, accuracy else)."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import optuna
import pytest

from harness.sweep.progress import Progress
from harness.sweep.spec import Cell


def _line(metric: str, phase: str, rec: dict[str, object]) -> str:
    cell = Cell((("strategy", "full"), ("train_size", 100)))
    study = optuna.create_study(direction="maximize")
    study.add_trial(optuna.trial.create_trial(value=0.5, params={}, distributions={}))
    spec = SimpleNamespace(cells=[cell], n_trials=2, seeds=[0, 1], metric=metric)
    sweep = SimpleNamespace(spec=spec, search={cell.id: study}, confirm={cell.id: study})
    out = io.StringIO()
    Progress(sweep, out).trial_done(
        cell, phase, 0, {"status": "completed", "wall_time_s": 1.0, **rec}
    )  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize(
    ("metric", "phase", "expected"),
    [
        ("val_accuracy", "search", "search #0: completed val=0.810"),
        ("val_accuracy", "confirm", "confirm seed=0: completed test=0.790"),
        ("val_entity_f1", "search", "search #0: completed val_entity_f1=0.450"),
        ("val_entity_f1", "confirm", "confirm seed=0: completed test_entity_f1=0.400"),
    ],
)
def test_progress_shows_the_selection_metric(metric: str, phase: str, expected: str) -> None:
    rec = {
        "val_accuracy": 0.81,
        "test_accuracy": 0.79,
        "val_entity_f1": 0.45,
        "test_entity_f1": 0.40,
    }
    line = _line(metric, phase, rec)
    assert expected in line and f"best {metric} 0.500" in line


def test_the_eta_charges_each_remaining_run_what_the_runs_most_like_it_cost() -> None:
    from harness.sweep.eta import eta_seconds

    full, lora = "strategy=full,train_size=100", "strategy=lora,train_size=100"
    costs = [
        ((full, "search"), 10.0),
        ((full, "search"), 20.0),  # full's search trials: 15 s each
        ((full, "confirm"), 40.0),
        ((lora, "search"), 4.0),  # lora has run one search trial, no confirmation yet
    ]
    remaining = {
        (full, "search"): 2,  # 2 x 15 (its own search trials)
        (full, "confirm"): 1,  # 1 x 40 (its own confirmation)
        (lora, "search"): 3,  # 3 x 4
        (lora, "confirm"): 2,  # 2 x 4: no lora confirmation yet, so lora's search trials
        (full, "done"): 0,
    }
    assert eta_seconds(costs, remaining, workers=1) == pytest.approx(30 + 40 + 12 + 8)
    assert eta_seconds(costs, remaining, workers=2) == pytest.approx((30 + 40 + 12 + 8) / 2)
    assert eta_seconds([], remaining, workers=1) is None  # nothing measured yet: no guess
    # a cell nothing has run in: the same phase's mean elsewhere, then any finished run
    other = "strategy=bitfit,train_size=100"
    assert eta_seconds(costs, {(other, "confirm"): 1}, 1) == pytest.approx(40.0)
    assert eta_seconds(costs[:1], {(other, "confirm"): 1}, 1) == pytest.approx(10.0)


def test_the_eta_does_not_jump_when_a_cheap_trial_finishes() -> None:
    """The old ETA (elapsed / trials done x trials left) swung with each trial's cost; the mean
    cost of like runs moves by one trial's share."""
    from harness.sweep.eta import eta_seconds

    cell = "strategy=full,train_size=100"
    costs = [((cell, "search"), 30.0)] * 5
    before = eta_seconds(costs, {(cell, "search"): 5}, 1)
    after = eta_seconds([*costs, ((cell, "search"), 3.0)], {(cell, "search"): 4}, 1)
    assert before == pytest.approx(150.0) and after == pytest.approx(4 * 25.5)


def test_the_last_line_says_what_to_run_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.mlflow_tracker import sweep_uri
    from harness.sweep.cli import next_steps

    monkeypatch.chdir(tmp_path)
    spec = SimpleNamespace(
        name="default", path=Path("sweeps/default.yaml"), out=Path("runs/default")
    )
    assert next_steps(spec, sweep_uri(spec.out)) == (  # type: ignore[arg-type]
        "next: `make report SWEEP=default` writes reports/default/report.md; "
        "`make ui` opens the runs in MLflow"
    )
    ner = SimpleNamespace(name="ner", path=Path("sweeps/ner.yaml"), out=Path("runs/ner"))
    assert next_steps(ner, sweep_uri(ner.out)).endswith(
        "`make ui SWEEP=ner` opens the runs in MLflow"
    )  # type: ignore[arg-type]
    moved = SimpleNamespace(name="default", path=Path("sweeps/default.yaml"), out=Path("runs/try"))
    assert next_steps(moved, "sqlite:////data/m.db") == (  # type: ignore[arg-type]
        "next: `harness report runs/try` writes reports/default/report.md; "
        "`make ui TRACKING=sqlite:////data/m.db` opens the runs in MLflow"
    )
    assert next_steps(moved, None).endswith("writes reports/default/report.md")  # type: ignore[arg-type]
