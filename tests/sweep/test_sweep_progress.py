"""The progress line speaks the sweep's selection metric (entity F1 for NER, accuracy else)."""

from __future__ import annotations

import io
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
        "val_accuracy": 0.81, "test_accuracy": 0.79, "val_entity_f1": 0.45, "test_entity_f1": 0.40,
    }  # fmt: skip
    line = _line(metric, phase, rec)
    assert expected in line and f"best {metric} 0.500" in line
