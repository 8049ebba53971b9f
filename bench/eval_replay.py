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

__all__ = ["Replay", "replay_record", "replay_records", "summary"]


@dataclass(frozen=True)
class Replay:
    evaluations: int  # evaluations the schedule makes
    stop_step: int | None  # None: the run would go past the recorded curve
    best_step: int | None  # the evaluation whose weights the run restores
    stopped_by: str | None  # plateau | max_steps | pruned


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
    best_value, best_step, without_gain, evaluations = -math.inf, None, 0, 0
    for row in history:
        step = int(row["step"])
        if step < eval_from and step != max_steps:
            continue
        evaluations += 1
        value = float(row[metric])
        if best_step is None or value > best_value + min_delta:
            best_value, best_step, without_gain = value, step, 0
        else:
            without_gain += 1
        if pruned_at is not None and step >= pruned_at:
            return Replay(evaluations, step if step == pruned_at else None, best_step, "pruned")
        if patience is not None and without_gain >= patience and step >= min_steps:
            return Replay(evaluations, step, best_step, "plateau")
        if step >= max_steps:
            return Replay(evaluations, step, best_step, "max_steps")
    return Replay(evaluations, None, best_step, None)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _one(rec: dict[str, Any], eval_from: int | None) -> dict[str, Any]:
    """Both schedules on one record: the recorded one (replayed as a check) and `eval_from`."""
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
    start = int(rec["min_steps"]) if eval_from is None else eval_from
    recorded = replay_record(history, metric, int(rec.get("eval_from_step") or 0), **common)
    later = replay_record(history, metric, start, **common)
    per_eval = float(rec["eval_time_s"] or 0.0) / max(len(history), 1)
    return {"status": rec["status"], "recorded": recorded, "later": later, "per_eval": per_eval,
            "start": start,
            "train_s": float(rec["train_time_s"] or 0.0), "eval_s": float(rec["eval_time_s"] or 0.0),
            "best_step": rec.get("best_step"), "steps": int(rec["optimizer_steps"]),
            "cell": rec.get("cell_id"), "phase": rec.get("phase")}  # fmt: skip


def replay_records(records: list[dict[str, Any]], eval_from: int | None = None) -> dict[str, Any]:
    """Replay every record with evaluation from `eval_from` (None: each record's `min_steps`)."""
    rows = [_one(r, eval_from) for r in records if r.get("history") and r.get("status") != "failed"]
    faithful = [
        r for r in rows
        if r["recorded"].stop_step == r["steps"] and r["recorded"].best_step == r["best_step"]
    ]  # fmt: skip
    ok = [r for r in faithful if r["later"].stop_step is not None]
    completed = [r for r in ok if r["status"] == "completed"]
    skipped = [
        r for r in faithful
        if r["status"] == "completed" and r["best_step"] is not None and r["best_step"] < r["start"]
    ]  # fmt: skip
    before_eval = sum(r["eval_s"] for r in ok)
    after_eval = sum(r["per_eval"] * r["later"].evaluations for r in ok)
    train = sum(r["train_s"] for r in ok)
    return {
        "records": len(rows),
        "faithful": len(faithful),  # the replay of the recorded schedule matches the record
        "replayable": len(ok),
        "same_stop": sum(r["later"].stop_step == r["steps"] for r in ok),
        "completed_all": sum(r["status"] == "completed" for r in faithful),
        "best_skipped": len(skipped),  # completed runs whose best came before the first evaluation
        "best_skipped_cells": sorted({f"{r['cell']} ({r['phase']})" for r in skipped}),
        "completed": len(completed),  # replayable completed runs
        "same_best": sum(r["later"].best_step == r["best_step"] for r in completed),
        # completed runs that would restore other weights: best skipped, or a replayed other best
        "changed": len(skipped)
        + sum(r["later"].best_step != r["best_step"] for r in completed if r not in skipped),
        "evaluations_before": sum(r["recorded"].evaluations for r in ok),
        "evaluations_after": sum(r["later"].evaluations for r in ok),
        "share_before": before_eval / train if train else None,
        "share_after": after_eval / (train - before_eval + after_eval) if train else None,
    }


def summary(path: Path, eval_from: int | None = None) -> dict[str, Any] | None:
    """`replay_records` over a report's records.csv (or a sweep's records/ folder); None if absent."""
    if path.is_dir():
        records = [json.loads(p.read_text()) for p in sorted(path.rglob("*.json"))]
    elif path.is_file():
        import pandas as pd

        frame = pd.read_csv(path)
        records = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in frame.to_dict("records")
        ]
    else:
        return None
    return {"source": str(path), **replay_records(records, eval_from)}


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:] or ["reports/default/records.csv", "reports/ner/records.csv"]:
        print(json.dumps(summary(Path(arg)), indent=2))
