"""Finding the sweep folder, reading records into a tidy table, and refusing bad input clearly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.report import ReportError, build_report, load_records, resolve_sweep_dir

SCALAR_KEYS = [
    "schema_version",
    "status",
    "error",
    "model",
    "model_name_or_path",
    "dataset",
    "task",
    "strategy",
    "optimizer",
    "scheduler",
    "head",
    "loss",
    "train_size",
    "val_size",
    "test_size",
    "seed",
    "lr",
    "weight_decay",
    "dropout",
    "epochs",
    "epochs_run",
    "best_epoch",
    "val_accuracy",
    "val_macro_f1",
    "val_loss",
    "test_accuracy",
    "test_macro_f1",
    "train_accuracy",
    "train_loss",
    "overfit_gap",
    "trainable_params",
    "total_params",
    "train_time_s",
    "cache_time_s",
    "train_samples_per_s",
    "peak_memory_mb",
    "checkpoint_mb",
    "checkpoint_path",
    "device",
    "precision",
    "frozen_prefix",
    "git_sha",
    "git_dirty",
    "started_at",
    "finished_at",
    "wall_time_s",
    "sweep",
    "cell_id",
    "phase",
    "trial_number",
]


def test_sweep_folder_resolves_to_itself(fixture_sweep: Path) -> None:
    assert resolve_sweep_dir(fixture_sweep) == fixture_sweep
    assert resolve_sweep_dir(str(fixture_sweep)) == fixture_sweep


def test_sweep_yaml_resolves_name_and_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "runs" / "demo" / "records").mkdir(parents=True)
    (tmp_path / "elsewhere" / "records").mkdir(parents=True)
    (tmp_path / "sweeps" / "named.yaml").write_text("name: demo\ngrid: {}\n")
    (tmp_path / "sweeps" / "demo.yaml").write_text("grid: {}\n")
    (tmp_path / "sweeps" / "moved.yaml").write_text("name: demo\nout: elsewhere\n")
    assert resolve_sweep_dir("sweeps/named.yaml") == Path("runs/demo")
    assert resolve_sweep_dir("sweeps/demo.yaml") == Path("runs/demo")
    assert resolve_sweep_dir("sweeps/moved.yaml") == Path("elsewhere")


def test_sweep_yaml_not_run_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "never.yaml").write_text("name: never\n")
    with pytest.raises(ReportError, match=r"never\.yaml.*runs/never"):
        resolve_sweep_dir("never.yaml")


@pytest.mark.parametrize("make", ["absent", "empty_dir", "empty_records"])
def test_no_records_is_a_report_error_naming_the_path(tmp_path: Path, make: str) -> None:
    path = tmp_path / make
    if make != "absent":
        path.mkdir()
    if make == "empty_records":
        (path / "records").mkdir()
    with pytest.raises(ReportError) as err:
        build_report(resolve_sweep_dir(path), tmp_path / "out")
    assert str(path) in str(err.value)
    assert isinstance(err.value, ValueError)
    assert not (tmp_path / "out" / "report.md").exists()


def test_load_records_is_tidy(fixture_sweep: Path) -> None:
    frame = load_records(fixture_sweep)
    assert len(frame) == 74
    assert set(SCALAR_KEYS) <= set(frame.columns)
    assert frame["cell_id"].notna().all() and frame["phase"].isin(["search", "confirm"]).all()
    nested = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, (dict, list))).any()]
    assert nested == []
    assert json.loads(frame.loc[0, "config"])["strategy"] == frame.loc[0, "strategy"]
    assert frame["trainable_params"].dtype == "Int64"
    assert frame.equals(load_records(fixture_sweep))  # deterministic order


@pytest.mark.parametrize(
    "cell_folder", ["strategy-lora__train_size-100", "strategy=lora,train_size=100"]
)
def test_cell_phase_and_trial_come_from_path_when_absent(tmp_path: Path, cell_folder: str) -> None:
    folder = tmp_path / "records" / cell_folder / "search"
    folder.mkdir(parents=True)
    (folder / "trial-0007.json").write_text(
        json.dumps({"status": "completed", "strategy": "lora", "test_accuracy": 0.8})
    )
    row = load_records(tmp_path).iloc[0]
    assert (row["cell_id"], row["phase"], row["trial_number"]) == (
        "strategy=lora,train_size=100",
        "search",
        7,
    )
    assert (row["grid_strategy"], row["grid_train_size"], row["group"]) == ("lora", 100, "")


def test_records_naming_no_cell_are_a_report_error(tmp_path: Path) -> None:
    folder = tmp_path / "records" / "odd" / "search"
    folder.mkdir(parents=True)
    (folder / "trial-0000.json").write_text(json.dumps({"status": "failed", "error": "boom"}))
    assert load_records(tmp_path)["grid_strategy"].isna().all()
    with pytest.raises(ReportError, match="no record names a strategy and train size"):
        build_report(tmp_path, tmp_path / "out")


def test_predictions_are_kept_beside_the_report(built_report: Path) -> None:
    """The tidy table drops per-example columns; predictions.npz keeps every confirmation run's
    test probabilities and labels (compressed), keyed by record path, matching the records."""
    from harness.report.predictions import read_predictions

    kept = read_predictions(built_report.parent / "predictions.npz")
    records = load_records(Path(__file__).resolve().parents[1] / "fixtures" / "report" / "sweep")
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    stored = done.dropna(subset=["test_probs"])
    assert len(kept) == len(stored) > 0
    row = stored.iloc[0]
    probs, labels = kept[str(row["record_path"])]
    assert probs.shape == np.asarray(json.loads(row["test_probs"])).shape
    assert (labels == np.asarray(json.loads(row["test_labels"]))).all()
    assert np.abs(probs - np.asarray(json.loads(row["test_probs"]))).max() < 1e-3  # float16
