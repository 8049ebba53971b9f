"""Optuna importances are read from `study.db` when present and never break the report."""

from __future__ import annotations

from pathlib import Path

import optuna

from harness.report.hparams import param_importances


def _study(storage: str, name: str, n_trials: int) -> None:
    study = optuna.create_study(
        study_name=name,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    study.optimize(
        lambda t: (
            -abs(t.suggest_float("lr", 1e-5, 1e-3, log=True) - 1e-4)
            + 0.01 * t.suggest_float("dropout", 0.0, 0.2)
        ),
        n_trials=n_trials,
    )


def test_importances_per_study_with_enough_trials(tmp_path: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    _study(storage, "demo/strategy=full,train_size=100/search", 5)
    _study(storage, "demo/strategy=lora,train_size=100/search", 2)
    _study(storage, "demo/strategy=full,train_size=100/confirm", 4)  # seeds only: ignored
    lines = param_importances(tmp_path)
    assert len(lines) == 2
    assert lines[0].startswith("strategy=full,train_size=100: dropout ")
    assert ", lr " in lines[0]
    assert lines[1] == "strategy=lora,train_size=100: skipped, completed trials 2 < 4"


def test_absent_or_broken_study_db_is_noted(tmp_path: Path) -> None:
    assert param_importances(tmp_path) == [
        "No `study.db` in the sweep folder: Optuna parameter importances skipped."
    ]
    (tmp_path / "study.db").write_text("not a database")
    (line,) = param_importances(tmp_path)
    assert line.startswith("Optuna parameter importances unavailable (")
