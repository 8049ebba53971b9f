"""Checks shared by the cluster tests: the CLI command, and exact per-cell counts from the storage."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from harness.record import read_record
from harness.sweep.spec import SweepSpec, load_sweep
from harness.sweep.study import open_storage

ROOT = Path(__file__).resolve().parents[2]
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def harness_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness", *args]


def worker_pid(t: FrozenTrial) -> int:
    return int(str(t.user_attrs["worker"]).rpartition(":")[2])


@dataclass
class CellState:
    search: list[FrozenTrial]  # every trial, voided ones included
    confirm: list[FrozenTrial]

    @staticmethod
    def valid(trials: list[FrozenTrial]) -> list[FrozenTrial]:
        return [t for t in trials if not t.user_attrs.get("void")]


def load_state(spec: SweepSpec) -> dict[str, CellState]:
    """Every cell's search and confirmation trials, read straight from the storage."""
    storage = open_storage(spec.storage, spec.heartbeat_s)
    out = {}
    for cell in spec.cells:
        studies = [
            optuna.load_study(study_name=f"{spec.name}/{cell.id}/{kind}", storage=storage)
            for kind in ("search", "confirm")
        ]
        out[cell.id] = CellState(*(s.get_trials(deepcopy=False) for s in studies))
    return out


def assert_exact(sweep_file: str | Path, overrides: Sequence[str]) -> dict[str, CellState]:
    """Per cell: exactly n_trials finished search trials, each confirm seed once, one record each."""
    spec = load_sweep(sweep_file, list(overrides))
    state = load_state(spec)
    for cell in spec.cells:
        search, confirm = (
            CellState.valid(x) for x in (state[cell.id].search, state[cell.id].confirm)
        )
        assert [t.state for t in search] == [t.state for t in search if t.state in FINISHED]
        assert len(search) == spec.n_trials, cell.id
        folder = spec.out / "records" / cell.slug
        recs: list[dict[str, Any]] = [read_record(p) for p in (folder / "search").glob("*.json")]
        assert sorted(r["trial_number"] for r in recs) == sorted(t.number for t in search)
        if any(t.state == TrialState.COMPLETE for t in search):
            assert all(t.state in FINISHED for t in confirm)
            assert sorted(int(t.user_attrs["seed"]) for t in confirm) == sorted(spec.seeds)
            names = sorted(p.name for p in (folder / "confirm").glob("*.json"))
            assert names == sorted(f"seed-{s}.json" for s in spec.seeds)
    return state


def need(module: str) -> None:
    """Import a `cluster` extra; missing is a skip on a developer machine, a failure in CI."""
    try:
        importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is missing: `make install` installs the cluster extra")
        pytest.skip(f"{module} is not installed (pip install -e '.[cluster]')")
