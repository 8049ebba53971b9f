"""run_trial: seeded determinism, the record of every outcome (completed, failed, pruned)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest

from harness.record import read_record, validate_record

RunTrial = Callable[..., tuple[dict[str, Any], Path]]
OUTCOME = ("val_accuracy", "val_loss", "test_accuracy", "test_macro_f1", "train_loss", "test_probs")


def _history(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "elapsed_s"} for row in rec["history"]]


@pytest.fixture(scope="module")
def seeded_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Full fine-tuning (dropout on, so the seed drives dropout, head init and data order) twice
    with seed 0 and once with seed 1; two evaluations per epoch for a longer history."""
    from harness.config import load_spec
    from harness.models import loading
    from harness.trial import run_trial

    # run "a" builds the model (as the first trial of a process does), "b" reuses it
    loading._tiny.cache_clear()
    out = tmp_path_factory.mktemp("seeded")
    base = [
        "model=tiny",
        "tracker=none",
        "dataset.train_size=64",
        "dataset.val_size=32",
        "train.epochs=2",
        "train.batch_size=16",
        "train.eval_every_steps=2",
        "train.drift_examples=16",
        "optimizer.lr=1e-3",
        "regularization.early_stopping_patience=null",
        f"out={out}",
    ]
    runs = {}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        runs[name] = run_trial(load_spec([*base, f"seed={seed}"]))[0]
    return runs


def test_same_seed_gives_identical_metrics_and_history(seeded_runs: dict[str, Any]) -> None:
    a, b = seeded_runs["a"], seeded_runs["b"]
    assert a["status"] == b["status"] == "completed"
    assert len(a["history"]) == 4  # every 2 of 4 steps per epoch, 2 epochs
    assert _history(a) == _history(b)
    for key in (*OUTCOME, "best_epoch", "param_drift", "repr_cka", "trainable_params"):
        assert a[key] == b[key], key


def test_another_seed_gives_another_run(seeded_runs: dict[str, Any]) -> None:
    a, c = seeded_runs["a"], seeded_runs["c"]
    assert c["status"] == "completed" and c["seed"] == 1
    assert [r["train_loss"] for r in a["history"]] != [r["train_loss"] for r in c["history"]]
    assert a["test_probs"] != c["test_probs"]


def test_completed_record_has_the_documented_facts(run_tiny: RunTrial) -> None:
    rec, path = run_tiny("strategy=top_k", "strategy.k=1", "seed=5")
    assert path.name.endswith("-top_k-n48-s5.json") and path.is_file()
    on_disk = read_record(path)
    assert validate_record(on_disk) == []
    assert on_disk == json.loads(json.dumps(rec))  # the returned record is what was written
    assert rec["status"] == "completed" and rec["error"] is None
    assert (rec["train_size"], rec["val_size"], rec["test_size"]) == (48, 32, 1821)
    assert rec["epochs"] == rec["epochs_run"] == rec["best_epoch"] == 1
    assert rec["steps"] == 3 and rec["planned_steps"] == 3  # ceil(48 / 16)
    assert rec["overfit_gap"] == pytest.approx(rec["train_accuracy"] - rec["val_accuracy"])
    assert len(rec["test_probs"]) == len(rec["test_labels"]) == 1821
    assert all(sum(p) == pytest.approx(1, abs=1e-4) for p in rec["test_probs"])
    assert 0 < rec["trainable_params"] < rec["total_params"]
    assert rec["frozen_prefix"] == "layers:1" and rec["device"] == "cpu"
    assert rec["precision"] == "fp32" and rec["peak_memory_mb"] > 0
    assert rec["param_drift"] > 0 and 0 < rec["repr_cka"] <= 1 + 1e-9
    assert rec["config"]["strategy"]["k"] == 1
    assert rec["versions"]["torch"] and rec["wall_time_s"] >= rec["train_time_s"] > 0


def test_frozen_encoder_has_no_drift(run_tiny: RunTrial) -> None:
    rec, _ = run_tiny("strategy=head_only")
    assert rec["param_drift"] == 0.0 and rec["repr_cka"] == 1.0


def test_a_diverging_run_is_recorded_as_failed(run_tiny: RunTrial) -> None:
    rec, path = run_tiny("optimizer=sgd", "optimizer.lr=1e30", "train.max_grad_norm=null")
    assert rec["status"] == "failed"
    assert rec["error"].startswith("NonFiniteLoss: training loss is")
    assert "Traceback" in rec["traceback"]
    assert validate_record(read_record(path)) == []


def test_a_pruned_run_keeps_what_it_measured(run_tiny: RunTrial) -> None:
    reports: list[tuple[int, float]] = []

    def prune(step: int, value: float) -> None:
        reports.append((step, value))
        raise optuna.TrialPruned()

    rec, path = run_tiny("train.epochs=3", report=prune, extra={"phase": "search"})
    assert rec["status"] == "pruned" and rec["error"] is None
    assert reports == [(3, rec["val_accuracy"])]  # pruned at the first evaluation
    assert rec["epochs_run"] == 1 and len(rec["history"]) == 1
    assert rec["phase"] == "search"
    assert validate_record(read_record(path)) == []


def test_selection_metric_picks_the_evaluation_and_feeds_the_pruner(run_tiny: RunTrial) -> None:
    reports: list[tuple[int, float]] = []
    rec, _ = run_tiny(
        "train.epochs=4",
        "train.selection_metric=macro_f1",
        "regularization.early_stopping_patience=null",
        "optimizer.lr=2e-3",
        "train.eval_every_steps=2",
        "seed=1",
        report=lambda s, v: reports.append((s, v)),
    )
    history = rec["history"]
    assert rec["selection_metric"] == "macro_f1"
    assert [v for _, v in reports] == [h["val_macro_f1"] for h in history]
    best = max(history, key=lambda h: (h["val_macro_f1"], -h["step"]))  # first of the best
    assert rec["best_step"] == best["step"] and rec["val_macro_f1"] == best["val_macro_f1"]
    by_accuracy = max(history, key=lambda h: (h["val_accuracy"], -h["step"]))
    assert by_accuracy["step"] != best["step"]  # this seed tells the two metrics apart


def test_evaluation_from_the_step_floor_changes_nothing_but_the_evaluations(
    run_tiny: RunTrial,
) -> None:
    """`min_steps` starts evaluating at the floor; evaluating does not perturb training (no RNG
    drawn, weights untouched), so the later evaluations see the same model, and a replay of a
    dense curve (bench/eval_replay.py) is what the sparser schedule would have done."""
    base = [
        "train.epochs=null",
        "train.max_steps=12",
        "train.min_steps=6",
        "train.eval_every_steps=2",
        "regularization.early_stopping_patience=null",
        "optimizer.lr=1e-3",
        "regularization.dropout=0.1",
    ]
    dense, _ = run_tiny(*base)
    late, _ = run_tiny(*base, "train.eval_from_step=min_steps")
    assert late["eval_from_step"] == 6 and dense["eval_from_step"] == 0
    assert [h["step"] for h in dense["history"]] == [2, 4, 6, 8, 10, 12]
    assert [h["step"] for h in late["history"]] == [6, 8, 10, 12]
    for d, s in zip(dense["history"][2:], late["history"], strict=True):
        assert d["val_accuracy"] == s["val_accuracy"]
        assert d["val_loss"] == pytest.approx(s["val_loss"], abs=1e-6)
    after = zip(dense["history"][3:], late["history"][1:], strict=True)
    assert late["history"][1:] == [{**d, "elapsed_s": s["elapsed_s"]} for d, s in after]
    # after the first window (which averages the training loss over more steps) rows agree
    assert late["final_train_loss"] == pytest.approx(dense["final_train_loss"], abs=1e-6)


def test_early_stopping_stops_after_patience(run_tiny: RunTrial) -> None:
    # lr 0 (constant): validation accuracy never improves after the first evaluation
    rec, _ = run_tiny(
        "train.epochs=6",
        "optimizer=sgd",
        "optimizer.lr=1e-12",
        "scheduler=constant",
        "regularization.early_stopping_patience=2",
    )
    assert rec["status"] == "completed" and rec["stopped_early"] is True
    assert rec["epochs_run"] == 3 and rec["best_epoch"] == 1


def test_record_path_override(run_tiny: RunTrial, tmp_path: Path) -> None:
    rec, path = run_tiny(f"record_path={tmp_path}/sub/one.json", "save_checkpoint=true")
    assert path == tmp_path / "sub" / "one.json" and path.is_file()
    assert rec["checkpoint_path"] == str(tmp_path / "sub" / "one.safetensors")


def test_bf16_autocast_runs_on_cpu(run_tiny: RunTrial) -> None:
    rec, _ = run_tiny("train.precision=bf16")
    assert rec["status"] == "completed", rec.get("error")
    assert rec["precision"] == "bf16" and 0 <= rec["test_accuracy"] <= 1


def test_gradient_accumulation_keeps_the_step_budget(run_tiny: RunTrial) -> None:
    """batch_size stays the examples per optimizer step: two micro-batches of 8 per step of 16."""
    one, _ = run_tiny("train.epochs=2")
    two, _ = run_tiny("train.epochs=2", "train.grad_accum_steps=2")
    assert two["status"] == "completed" and two["batch_size"] == one["batch_size"] == 16
    assert two["optimizer_steps"] == one["optimizer_steps"] and two["epochs_run"] == 2
    assert [h["step"] for h in two["history"]] == [h["step"] for h in one["history"]]
    assert two["history"] != one["history"]  # other micro-batches: another (valid) run


def test_accumulation_must_divide_the_batch(run_tiny: RunTrial) -> None:
    from harness.errors import ConfigError

    with pytest.raises(
        ConfigError, match=r"train.grad_accum_steps: 3 does not divide the batch size \(16\)"
    ):
        run_tiny("train.grad_accum_steps=3")
