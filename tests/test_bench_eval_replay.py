"""bench/eval_replay.py: the loop's stop and restore rules replayed over a recorded curve."""

from __future__ import annotations

from bench.eval_replay import replay_record, replay_records, replay_sparse


def _curve(values: list[float], every: int = 10) -> list[dict[str, float]]:
    return [{"step": every * (i + 1), "val_accuracy": v} for i, v in enumerate(values)]


RULES = {"min_steps": 40, "max_steps": 100, "patience": 2}


def test_the_recorded_schedule_replays_to_the_recorded_stop_and_best() -> None:
    curve = _curve([0.5, 0.7, 0.75, 0.65, 0.8, 0.7, 0.75, 0.74])  # stops at 70: 2 without gain
    r = replay_record(curve, "val_accuracy", 0, **RULES)
    assert (r.stop_step, r.best_step, r.stopped_by, r.evaluations) == (70, 50, "plateau", 7)


def test_evaluating_from_the_floor_can_lose_an_early_best() -> None:
    curve = _curve([0.5, 0.9, 0.6, 0.65, 0.7, 0.7, 0.71, 0.7, 0.69, 0.7])
    dense = replay_record(curve, "val_accuracy", 0, **RULES)
    late = replay_record(curve, "val_accuracy", 40, **RULES)
    assert (dense.best_step, dense.stop_step) == (20, 40)  # a plateau stop at the floor
    assert (late.best_step, late.stop_step, late.evaluations) == (70, 90, 6)


def test_a_stop_past_the_curve_or_an_unevaluated_pruning_step_is_not_replayable() -> None:
    curve = _curve([0.5, 0.6, 0.7, 0.8])
    assert replay_record(curve, "val_accuracy", 0, **RULES).stop_step is None  # ran to 40 only
    pruned = replay_record(curve, "val_accuracy", 25, **RULES, pruned_at=20)
    assert pruned.stopped_by == "pruned" and pruned.stop_step is None


def test_counts_over_records_name_the_changed_runs() -> None:
    def rec(values: list[float], best: int, steps: int, status: str = "completed") -> dict:
        return {
            "history": _curve(values),
            "config": {"regularization": {"early_stopping_patience": 2}},
            "selection_metric": "accuracy",
            "min_steps": 40,
            "planned_steps": 100,
            "eval_every_steps": 10,
            "status": status,
            "optimizer_steps": steps,
            "best_step": best,
            "eval_time_s": 1.0,
            "train_time_s": 10.0,
            "cell_id": "c",
            "phase": "confirm",
        }

    out = replay_records(
        [
            rec([0.5, 0.9, 0.6, 0.65], best=20, steps=40),  # early best: changed (not replayable)
            rec([0.5, 0.6, 0.7, 0.8, 0.7, 0.6], best=40, steps=60),  # the same either way
        ]
    )
    late = out["from_min_steps"]
    assert out["faithful"] == 2 and late["completed_all"] == 2
    assert (late["changed"], late["replayable"], late["changed_cells"]) == (1, 1, ["c (confirm)"])
    assert late["evaluations_before"] == 6 and late["evaluations_after"] == 3


def test_sparse_where_flat_doubles_the_interval_and_keeps_rungs_and_patience() -> None:
    curve = _curve([0.5, 0.6, 0.7, 0.65, 0.66, 0.64, 0.8, 0.7, 0.7, 0.7])
    r = replay_sparse(curve, "val_accuracy", every=10, rungs={60}, **RULES)
    # gains up to 30; 40 without one doubles the interval (next 60), but best + patience (30 + 2 x
    # 10) comes first: 50, without a gain again -> a plateau stop there, best 30
    assert (r.evaluated, r.stop_step, r.best_step, r.stopped_by) == (
        (10, 20, 30, 40, 50),
        50,
        30,
        "plateau",
    )
    flat = _curve([0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6])
    r = replay_sparse(flat, "val_accuracy", every=10, rungs={40}, **{**RULES, "patience": 5})
    # best at 20; then +10 (30), +20 (the rung at 40 comes first), +40 (80) capped by 20 + 50
    assert (r.evaluated, r.stop_step) == ((10, 20, 30, 40, 70), 70)  # dense: 7 evaluations
