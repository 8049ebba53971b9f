"""Shared by the sweep tests: run `harness sweep` on real SQLite/MLflow stores in tmp_path and
read back what it left (records, Optuna studies, MLflow runs) to check they agree."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from harness.record import read_record, validate_record
from harness.sweep.spec import Cell, SweepSpec, load_sweep

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "sweeps" / "smoke.yaml"
STATE_OF = {
    "completed": TrialState.COMPLETE,
    "pruned": TrialState.PRUNED,
    "failed": TrialState.FAIL,
}
MLFLOW_STATUS = {"completed": "FINISHED", "pruned": "KILLED", "failed": "FAILED"}
TIMEOUT_S = 300  # a hung sweep fails the test instead of the whole run


def subprocess_env() -> dict[str, str]:
    """One torch thread per process: the test machine is small and shared."""
    return {**os.environ, "HARNESS_TORCH_THREADS": "1", "PYTHONUNBUFFERED": "1"}


@dataclass
class SweepRun:
    """A sweep file plus overrides that put every store under one tmp folder."""

    root: Path
    file: Path
    overrides: list[str]

    @classmethod
    def make(cls, root: Path, file: Path = SMOKE, overrides: tuple[str, ...] = ()) -> SweepRun:
        return cls(
            root,
            file,
            [
                f"out={root / 'out'}",
                f"storage=sqlite:///{root / 'study.db'}",
                f"tracker.uri=sqlite:///{root / 'mlflow.db'}",
                *overrides,
            ],
        )

    @property
    def args(self) -> list[str]:
        return [str(self.file), *self.overrides]

    @property
    def spec(self) -> SweepSpec:
        return load_sweep(self.file, self.overrides)

    @property
    def records_dir(self) -> Path:
        return self.root / "out" / "records"

    def command(self, verb: str = "sweep") -> list[str]:
        return [sys.executable, "-m", "harness", verb, *self.args]

    def run(self) -> subprocess.CompletedProcess[str]:
        """Run `harness sweep` to the end; fail loudly with its output when it does not exit 0."""
        proc = subprocess.run(
            self.command(),
            cwd=ROOT,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    def run_here(self) -> str:
        """The same command in this process (no interpreter start-up): its stdout; must exit 0."""
        from harness.cli import main

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["sweep", *self.args])
        assert code == 0, out.getvalue()
        return out.getvalue()

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # a background shell starts us with SIGINT ignored; the sweep must see Ctrl-C
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )

    def record_files(self) -> list[Path]:
        return sorted(self.records_dir.glob("*/*/*.json"))

    def records(self, cell: Cell, phase: str) -> dict[str, dict[str, Any]]:
        """Records of one cell and phase, by file stem (`trial-0003`, `seed-1`)."""
        folder = self.records_dir / cell.slug / phase
        return {p.stem: read_record(p) for p in sorted(folder.glob("*.json"))}

    def study(self, cell: Cell, kind: str) -> optuna.Study:
        spec = self.spec
        return optuna.load_study(study_name=f"{spec.name}/{cell.id}/{kind}", storage=spec.storage)

    def mlflow_runs(self) -> list[Any]:
        """Every active run of the sweep's experiment."""
        import mlflow

        client = mlflow.MlflowClient(tracking_uri=self.spec.tracker["uri"])
        exp = client.get_experiment_by_name(f"sweep-{self.spec.name}")
        assert exp is not None, "the sweep's MLflow experiment was not created"
        return list(client.search_runs([exp.experiment_id], max_results=10_000))

    def snapshot(self) -> dict[str, Any]:
        """What a no-op re-run must leave untouched."""
        return {
            "files": {str(p): p.stat().st_mtime_ns for p in self.record_files()},
            "runs": sorted(r.info.run_id for r in self.mlflow_runs()),
            "trials": {
                (c.id, kind): len(self.study(c, kind).get_trials(deepcopy=False))
                for c in self.spec.cells
                for kind in ("search", "confirm")
            },
        }


def interrupt_after(run: SweepRun, n_records: int, sig: signal.Signals) -> tuple[int, str]:
    """Start the sweep, wait until it has written `n_records` records, then send `sig`."""
    proc = run.start()
    deadline = time.monotonic() + TIMEOUT_S

    def still_running() -> None:
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"the sweep ended before it could be interrupted:\n{output}")

    try:
        while len(run.record_files()) < n_records:
            still_running()
            if time.monotonic() > deadline:
                pytest.fail("the sweep wrote too few records in time")
            time.sleep(0.01)
        still_running()
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out


def valid(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in trials if not t.user_attrs.get("void")]


def check_sweep(run: SweepRun) -> dict[str, Any]:
    """Records, Optuna and MLflow agree, cell by cell; returns per-cell facts for further checks."""
    spec = run.spec
    runs = run.mlflow_runs()
    parents = [r for r in runs if r.data.tags.get("phase") == "cell"]  # not the report's run
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert sorted(r.data.tags["cell_id"] for r in parents) == sorted(c.id for c in spec.cells)
    facts: dict[str, Any] = {}
    all_records = 0
    for cell in spec.cells:
        search, confirm = run.study(cell, "search"), run.study(cell, "confirm")
        s_recs, c_recs = run.records(cell, "search"), run.records(cell, "confirm")
        all_records += len(s_recs) + len(c_recs)
        for name, rec in {**s_recs, **c_recs}.items():
            assert validate_record(rec) == [], (cell.id, name, validate_record(rec))
            assert rec["cell_id"] == cell.id and rec["sweep"] == spec.name
        _check_search(spec, cell, search, s_recs)
        best = _check_best(search, s_recs)
        _check_confirm(spec, cell, confirm, c_recs, best)
        # a cell whose search found nothing to confirm ends its MLflow parent run as FAILED
        status = "FINISHED" if best is not None else "FAILED"
        _check_mlflow(cell, parents, children, {**s_recs, **c_recs}, status)
        facts[cell.id] = {"best": best, "search": s_recs, "confirm": c_recs, "study": search}
    assert len(children) == all_records, "one MLflow child run per record, no more"
    assert len(runs) == len(parents) + len(children)
    return facts


def _check_search(
    spec: SweepSpec, cell: Cell, study: optuna.Study, recs: dict[str, dict[str, Any]]
) -> None:
    trials = study.get_trials(deepcopy=False)
    counted = valid(trials)
    assert len(counted) == spec.n_trials, (cell.id, [(t.number, t.state) for t in trials])
    assert all(t.state in STATE_OF.values() for t in counted)
    for t in trials:
        if t.user_attrs.get("void"):  # a voided claim: failed, not counted, no record of its own
            assert t.state == TrialState.FAIL
            assert f"trial-{t.number:04d}" not in recs
    # each counted trial wrote exactly its own record, and nothing else was written
    assert sorted(recs) == sorted(f"trial-{t.number:04d}" for t in counted)
    for t in counted:
        rec = recs[f"trial-{t.number:04d}"]
        assert Path(t.user_attrs["record"]).name == f"trial-{t.number:04d}.json"
        assert rec["phase"] == "search" and rec["trial_number"] == t.number
        assert STATE_OF[rec["status"]] == t.state, (cell.id, t.number, rec["status"], t.state)
        assert rec["params"] == t.params
        # search trials train with their own seeds, never a confirmation seed
        assert rec["seed"] == spec.search_seed(t.number)
        assert spec.reuse_search_run or rec["seed"] not in spec.seeds
        assert rec["selection_metric"] == spec.metric.removeprefix("val_")  # the study's metric
        if rec["status"] == "completed":
            assert t.value == pytest.approx(rec[spec.metric])
        if rec["status"] == "failed":
            assert rec["error"] and t.user_attrs["error"] == rec["error"][:500]


def _check_best(study: optuna.Study, recs: dict[str, dict[str, Any]]) -> FrozenTrial | None:
    completed = [r for r in recs.values() if r["status"] == "completed"]
    if not completed:
        with pytest.raises(ValueError):
            _ = study.best_value
        return None
    assert study.best_value == pytest.approx(max(r["val_accuracy"] for r in completed))
    return study.best_trial


def _check_confirm(
    spec: SweepSpec,
    cell: Cell,
    study: optuna.Study,
    recs: dict[str, dict[str, Any]],
    best: FrozenTrial | None,
) -> None:
    if best is None:  # nothing to confirm
        assert recs == {}
        assert valid(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) == []
        return
    assert sorted(recs) == sorted(f"seed-{s}" for s in spec.seeds)
    counted = valid(study.get_trials(deepcopy=False))
    assert sorted(t.user_attrs["seed"] for t in counted) == sorted(spec.seeds)
    assert all(t.state in STATE_OF.values() for t in counted)
    for t in counted:
        rec = recs[f"seed-{t.user_attrs['seed']}"]
        assert rec["phase"] == "confirm" and STATE_OF[rec["status"]] == t.state
    for seed, data_seed in spec.confirm_runs():
        rec = recs[f"seed-{seed}"]
        assert rec["seed"] == seed
        if data_seed is not None:  # confirmation varies which training examples are drawn
            assert rec["data_seed"] == data_seed
        assert rec["params"] == best.params
        assert rec["best_search_trial"] == best.number
        for name, value in best.params.items():  # lr, weight_decay, dropout: record keys too
            assert rec[name] == pytest.approx(value), (cell.id, seed, name)


def _check_mlflow(
    cell: Cell,
    parents: list[Any],
    children: list[Any],
    recs: dict[str, dict[str, Any]],
    parent_status: str,
) -> None:
    (parent,) = [p for p in parents if p.data.tags["cell_id"] == cell.id]
    assert parent.info.status == parent_status, cell.id
    assert Path(parent.data.tags["out"]).is_dir()  # which folder's sweep this is
    confirmed = [
        r["test_accuracy"]
        for r in recs.values()
        if r["phase"] == "confirm" and r["status"] == "completed" and r["test_accuracy"] is not None
    ]
    if parent_status == "FINISHED":  # the cell's summary, comparable across parents
        assert parent.data.params["strategy"] == str(cell.as_dict["strategy"])
        assert parent.data.metrics["confirm_runs"] == len(confirmed)
        if confirmed:
            mean = parent.data.metrics["test_accuracy_mean"]
            assert mean == pytest.approx(sum(confirmed) / len(confirmed))
    mine = [c for c in children if c.data.tags["mlflow.parentRunId"] == parent.info.run_id]
    by_id = {c.info.run_id: c for c in mine}
    assert len(by_id) == len(mine) == len(recs), (cell.id, len(mine), len(recs))
    assert sorted(by_id) == sorted(r["mlflow_run_id"] for r in recs.values())
    for rec in recs.values():
        child = by_id[rec["mlflow_run_id"]]
        tags = child.data.tags
        assert tags["strategy"] == rec["strategy"] == cell.as_dict["strategy"]
        assert tags["train_size"] == str(rec["train_size"]) == str(cell.as_dict["train_size"])
        assert tags["seed"] == str(rec["seed"])
        assert tags["phase"] == rec["phase"]
        assert child.info.status == MLFLOW_STATUS[rec["status"]]
