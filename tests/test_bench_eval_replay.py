"""bench/eval_replay.py: the loop's stop and restore rules replayed over a recorded curve."""

from __future__ import annotations

from bench.eval_replay import replay_record, replay_records


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
            "history": _curve(values), "config": {"regularization": {"early_stopping_patience": 2}},
            "selection_metric": "accuracy", "min_steps": 40, "planned_steps": 100,
            "status": status, "optimizer_steps": steps, "best_step": best, "eval_time_s": 1.0,
            "train_time_s": 10.0, "cell_id": "c", "phase": "confirm",
        }  # fmt: skip

    out = replay_records([
        rec([0.5, 0.9, 0.6, 0.65], best=20, steps=40),  # early best: changed (not replayable)
        rec([0.5, 0.6, 0.7, 0.8, 0.7, 0.6], best=40, steps=60),  # the same either way
    ])  # fmt: skip
    assert (out["faithful"], out["completed_all"], out["best_skipped"], out["changed"]) == (
        2,
        2,
        1,
        1,
    )
    assert out["replayable"] == 1 and out["same_best"] == 1
    assert out["evaluations_before"] == 6 and out["evaluations_after"] == 3
