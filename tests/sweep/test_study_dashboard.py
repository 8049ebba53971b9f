"""What optuna-dashboard shows of a cell's study: the metric's name instead of `Objective 0`,
and why a voided claim failed (its `void_reason` user attribute)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import optuna
import pytest

from harness.sweep.study import VOID_REASONS, create_study, open_storage, void


def _study(tmp_path: Path) -> optuna.Study:
    storage = open_storage(f"sqlite:///{tmp_path / 'study.db'}", 10)
    return create_study(storage, "s/cell/search", "val_accuracy", optuna.pruners.NopPruner())


def test_studies_name_their_metric(tmp_path: Path) -> None:
    study = _study(tmp_path)
    assert study.metric_names == ["val_accuracy"]
    reopened = optuna.load_study(study_name="s/cell/search", storage=study._storage)
    assert reopened.metric_names == ["val_accuracy"]
    assert _study(tmp_path).metric_names == ["val_accuracy"]  # a resumed sweep keeps it


def test_void_reason_is_a_user_attribute(tmp_path: Path) -> None:
    study = _study(tmp_path)
    trial = study.ask()
    assert void(study, trial._trial_id, "overflow")
    frozen = study.get_trials()[0]
    assert frozen.state == optuna.trial.TrialState.FAIL
    assert frozen.user_attrs["void"] == "overflow"
    assert frozen.user_attrs["void_reason"] == VOID_REASONS["overflow"]


def _get(app: Any, path: str) -> dict[str, Any]:
    """One GET on a WSGI app, in process (no server, no port)."""
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
    assert status[0].startswith("200"), status
    return json.loads(body)  # type: ignore[no-any-return]


def test_the_dashboard_shows_the_metric_and_the_void_reason(tmp_path: Path) -> None:
    dashboard = pytest.importorskip("optuna_dashboard")
    study = _study(tmp_path)
    study.tell(study.ask(), 0.5)
    void(study, study.ask()._trial_id, "duplicate")
    detail = _get(dashboard.wsgi(study._storage), f"/api/studies/{study._study_id}")
    assert detail["objective_names"] == ["val_accuracy"]
    assert "void_reason" in [a["key"] for a in detail["union_user_attrs"]]
    voided = detail["trials"][1]["user_attrs"]
    assert {"key": "void_reason", "value": VOID_REASONS["duplicate"]} in voided
