"""One progress line per finished trial: overall counts, current cell, best so far, and an ETA
from what the finished trials cost (harness/sweep/eta.py)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from optuna.trial import TrialState

from harness.sweep.eta import eta_seconds, remaining_runs, trial_costs
from harness.sweep.names import cell_label

if TYPE_CHECKING:
    from harness.sweep.session import Sweep
    from harness.sweep.spec import Cell

__all__ = ["Progress", "count_done"]

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def count_done(sweep: Sweep) -> dict[str, int]:
    """Finished trials across the sweep (voided ones excluded), by state."""
    out = {"completed": 0, "pruned": 0, "failed": 0}
    names = {
        TrialState.COMPLETE: "completed",
        TrialState.PRUNED: "pruned",
        TrialState.FAIL: "failed",
    }
    for studies in (sweep.search, sweep.confirm):
        for study in studies.values():
            for t in study.get_trials(deepcopy=False, states=FINISHED):
                if not t.user_attrs.get("void"):
                    out[names[t.state]] += 1
    return out


def _dur(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m{s:02d}s"


class Progress:
    def __init__(self, sweep: Sweep, stream: TextIO | None = None):
        # sys.stdout looked up now, not at import: a redirected stdout gets the progress lines
        self.sweep, self.stream = sweep, stream or sys.stdout
        self.started = time.perf_counter()
        self.cells = sweep.spec.cells
        self.total = len(self.cells) * (sweep.spec.n_trials + len(sweep.spec.seeds))
        self.current = ""

    def enter(self, cell: Cell) -> None:
        self.current = cell.id

    def extend(self, runs: int) -> None:
        """Sequential confirmation added runs: the total (and ETA) grows with them."""
        self.total += runs
        print(
            f"sequential confirmation: {runs} more run(s) where a verdict is open",
            file=self.stream,
            flush=True,
        )

    def eta(self) -> str:
        """Time left from the measured trial costs, shared by the sweep's workers."""
        workers = max(1, int(getattr(self.sweep.spec, "workers", 1) or 1))
        left = eta_seconds(trial_costs(self.sweep), remaining_runs(self.sweep), workers)
        return "n/a" if left is None else _dur(left)

    def trial_done(self, cell: Cell, phase: str, number: int, rec: dict[str, Any]) -> None:
        done = sum(count_done(self.sweep).values())
        elapsed = time.perf_counter() - self.started
        best = self.sweep.search[cell.id]
        try:
            best_val = f"{best.best_value:.3f}"
        except ValueError:
            best_val = "n/a"
        index = next(i for i, c in enumerate(self.cells, 1) if c.id == cell.id)
        name = self.sweep.spec.metric.removeprefix("val_")  # the selection metric, e.g. entity_f1
        split = "val" if phase == "search" else "test"
        metric = rec.get(f"{split}_{name}")
        short = split if name == "accuracy" else f"{split}_{name}"
        what = f"{short}={metric:.3f}" if metric is not None else (rec.get("error") or "")[:60]
        tag = f"#{number}" if phase == "search" else f"seed={number}"
        print(
            f"[{done}/{self.total} trials | cell {index}/{len(self.cells)} {cell_label(cell)} | best {self.sweep.spec.metric} {best_val} | "
            f"{_dur(elapsed)} elapsed, ETA {self.eta()}] {phase} {tag}: {rec['status']} {what} "
            f"({(rec.get('wall_time_s') or 0):.1f}s)",
            file=self.stream,
            flush=True,
        )
