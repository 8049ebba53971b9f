"""What evaluating only from `min_steps` on (`train.eval_from_step=min_steps`) would save, and
what it would change, replayed on a finished study's records: no new training.

Evaluation never changes training (no random draw, the weights untouched: tests/test_trial.py
checks it), so a record's dense validation curve (every `eval_every_steps` from the first
interval) holds every value a sparser schedule of the same interval would have seen. Replaying
the loop's rules (best = first evaluation beating the best by more than `min_delta`; a plateau
stop after `patience` evaluations without a gain, not before `min_steps`; the budget's last
step; a pruned run stops where the pruner stopped it) over the evaluations the schedule keeps
gives the step it would stop at and the weights it would restore. A run counts as replayable
when its stop falls inside the recorded curve and, if pruned, the pruning step is evaluated by
both schedules (the pruner then saw the same value at the same step).

Validation time scales with the number of evaluations (`eval_time_s` / evaluations per run);
the training time outside evaluation is the same when the stop step is. A completed run whose
best evaluation came before the first step the schedule evaluates would restore other weights
whatever happens next: it counts as changed (`best_skipped`), replayable or not.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.sweep_cost import load_records

__all__ = ["SCHEDULES", "Replay", "replay_record", "replay_records", "replay_sparse", "summary"]


@dataclass(frozen=True)
class Replay:
    evaluated: tuple[int, ...]  # the steps the schedule evaluates (within the recorded curve)
    stop_step: int | None  # None: the run would go past the recorded curve
    best_step: int | None  # the evaluation whose weights the run restores (so far, if None above)
    stopped_by: str | None  # plateau | max_steps | pruned

    @property
    def evaluations(self) -> int:
        return len(self.evaluated)


def replay_record(
    history: list[dict[str, Any]],
    metric: str,
    eval_from: int,
    *,
    min_steps: int,
    max_steps: int,
    patience: int | None,
    min_delta: float = 0.0,
    pruned_at: int | None = None,
) -> Replay:
    """The loop's decisions over the evaluations at or after `eval_from` (and the last step)."""
    best_value, best_step, without_gain, evaluated = -math.inf, None, 0, []
    for row in history:
        step = int(row["step"])
        if step < eval_from and step != max_steps:
            continue
        evaluated.append(step)
        value = float(row[metric])
        if best_step is None or value > best_value + min_delta:
            best_value, best_step, without_gain = value, step, 0
        else:
            without_gain += 1
        done = tuple(evaluated)
        if pruned_at is not None and step >= pruned_at:
            return Replay(done, step if step == pruned_at else None, best_step, "pruned")
        if patience is not None and without_gain >= patience and step >= min_steps:
            return Replay(done, step, best_step, "plateau")
        if step >= max_steps:
            return Replay(done, step, best_step, "max_steps")
    return Replay(tuple(evaluated), None, best_step, None)


def replay_sparse(
    history: list[dict[str, Any]],
    metric: str,
    *,
    every: int,
    rungs: set[int],
    min_steps: int,
    max_steps: int,
    patience: int | None,
    min_delta: float = 0.0,
    pruned_at: int | None = None,
    cap: int = 4,
) -> Replay:
    """Dense where the curve moves, sparse where it is flat: after an evaluation without a gain
    the interval doubles (up to `cap` x `every`), after a gain it is `every` again; patience is
    counted in steps (`patience` x `every`, what it means on the dense grid), the pruner's
    `rungs` are always evaluated, and no evaluation lands past best + patience or the budget."""
    values = {int(r["step"]): float(r[metric]) for r in history}
    wait = None if patience is None else patience * every
    best_value, best_step, interval, step = -math.inf, -1, every, every
    evaluated: list[int] = []
    while True:
        if step not in values:
            return Replay(tuple(evaluated), None, best_step if best_step >= 0 else None, None)
        evaluated.append(step)
        done = tuple(evaluated)
        if best_step < 0 or values[step] > best_value + min_delta:
            best_value, best_step, interval = values[step], step, every
        else:
            interval = min(2 * interval, cap * every)
        if pruned_at is not None and step >= pruned_at:
            return Replay(done, step if step == pruned_at else None, best_step, "pruned")
        if wait is not None and step - best_step >= wait and step >= min_steps:
            return Replay(done, step, best_step, "plateau")
        if step >= max_steps:
            return Replay(done, step, best_step, "max_steps")
        later = [step + interval, max_steps, *(r for r in rungs if r > step)]
        if wait is not None and best_step + wait > step:
            later.append(best_step + wait)
        step = min(later)


SCHEDULES = ("from_min_steps", "sparse_when_flat")


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _one(rec: dict[str, Any], rungs: set[int]) -> dict[str, Any]:
    """The recorded schedule (replayed as a check) and the two cheaper ones, on one record."""
    history, config = _loads(rec["history"]), _loads(rec["config"])
    reg = config["regularization"]
    metric = f"val_{rec['selection_metric']}"
    common = {
        "min_steps": int(rec["min_steps"]),
        "max_steps": int(rec["planned_steps"]),
        "patience": reg.get("early_stopping_patience"),
        "min_delta": float(reg.get("early_stopping_min_delta") or 0.0),
        "pruned_at": int(rec["optimizer_steps"]) if rec["status"] == "pruned" else None,
    }
    every = int(rec["eval_every_steps"])
    return {
        "status": rec["status"],
        "best_step": rec.get("best_step"),
        "steps": int(rec["optimizer_steps"]),
        "per_eval": float(rec["eval_time_s"] or 0.0) / max(len(history), 1),
        "train_s": float(rec["train_time_s"] or 0.0),
        "eval_s": float(rec["eval_time_s"] or 0.0),
        "cell": rec.get("cell_id"),
        "phase": rec.get("phase"),
        "recorded": replay_record(history, metric, int(rec.get("eval_from_step") or 0), **common),
        "from_min_steps": replay_record(history, metric, int(rec["min_steps"]), **common),
        "sparse_when_flat": replay_sparse(history, metric, every=every, rungs=rungs, **common),
    }


def _stats(faithful: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """What schedule `key` would have done over the faithfully replayed runs."""
    ok = [r for r in faithful if r[key].stop_step is not None]
    done = [r for r in faithful if r["status"] == "completed"]
    # a completed run restores other weights if the schedule never evaluates its best step, or
    # if the replay stays on the curve and picks another evaluation; a run that goes past the
    # curve after evaluating its best is undecided
    lost = [
        r
        for r in done
        if r["best_step"] not in r[key].evaluated
        or (r[key].stop_step is not None and r[key].best_step != r["best_step"])
    ]
    undecided = [r for r in done if r not in lost and r[key].stop_step is None]
    before = sum(r["eval_s"] for r in ok)
    after_eval = sum(r["per_eval"] * r[key].evaluations for r in ok)
    after_train = sum((r["train_s"] - r["eval_s"]) * r[key].stop_step / r["steps"] for r in ok)
    train = sum(r["train_s"] for r in ok)
    return {
        "replayable": len(ok),
        "same_stop": sum(r[key].stop_step == r["steps"] for r in ok),
        "completed_all": len(done),
        "changed": len(lost),
        "undecided": len(undecided),
        "changed_cells": sorted({f"{r['cell']} ({r['phase']})" for r in lost}),
        "evaluations_before": sum(r["recorded"].evaluations for r in ok),
        "evaluations_after": sum(r[key].evaluations for r in ok),
        "share_before": before / train if train else None,
        "share_after": after_eval / (after_train + after_eval) if train else None,
        "compute_after": (after_train + after_eval) / train if train else None,
    }


def replay_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Replay every record under each schedule; `faithful` counts the runs whose recorded
    schedule replays to their recorded stop and best (the others are left out)."""
    usable = [r for r in records if r.get("history") and r.get("status") != "failed"]
    rungs = {int(r["optimizer_steps"]) for r in usable if r.get("status") == "pruned"}
    rows = [_one(r, rungs) for r in usable]
    faithful = [
        r
        for r in rows
        if r["recorded"].stop_step == r["steps"] and r["recorded"].best_step == r["best_step"]
    ]
    out: dict[str, Any] = {"records": len(rows), "faithful": len(faithful), "rungs": sorted(rungs)}
    return {**out, **{key: _stats(faithful, key) for key in SCHEDULES}}


def summary(path: Path) -> dict[str, Any] | None:
    """`replay_records` over a report's records.csv or a sweep folder (read as the sweep-cost
    section reads them, `bench.sweep_cost.load_records`); None if there are no records."""
    records = load_records(path)
    return {"source": str(path), **replay_records(records)} if records else None


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:] or ["reports/default/records.csv", "reports/ner/records.csv"]:
        print(json.dumps(summary(Path(arg)), indent=2))
