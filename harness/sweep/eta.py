"""How long a sweep has left, from what its finished trials cost: each remaining run is charged
the mean wall time of the finished runs most like it (same cell and phase, else same cell, else
same phase, else any), and the sum is shared by the workers. Finished trials are read from the
studies, so every worker's trials count and a resumed sweep starts from what it measured."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from optuna.trial import TrialState

if TYPE_CHECKING:
    from harness.sweep.session import Sweep

__all__ = ["eta_seconds", "remaining_runs", "trial_costs"]

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
Key = tuple[str, str]  # (cell id, phase)


# how alike a finished run is to a remaining one, most alike first: same cell and phase, same
# cell (a confirmation before any has finished: its search trials), same phase, any
LIKE = (
    lambda done, want: done == want,
    lambda done, want: done[0] == want[0],
    lambda done, want: done[1] == want[1],
    lambda done, want: True,
)


def eta_seconds(
    costs: Iterable[tuple[Key, float]], remaining: Mapping[Key, int], workers: int
) -> float | None:
    """Seconds left: each remaining run costs the mean of the finished runs most like it;
    None until some run has finished."""
    costs = list(costs)
    if not costs:
        return None
    total = 0.0
    for want, count in remaining.items():
        for like in LIKE:
            found = [seconds for done, seconds in costs if like(done, want)]
            if found:
                total += max(0, count) * statistics.fmean(found)
                break
    return total / max(1, workers)


def trial_costs(sweep: Sweep) -> list[tuple[Key, float]]:
    """Wall time of every finished (not voided) trial of the sweep, by cell and phase."""
    out = []
    for phase, studies in (("search", sweep.search), ("confirm", sweep.confirm)):
        for cell, study in studies.items():
            for t in study.get_trials(deepcopy=False, states=FINISHED):
                if t.datetime_start and t.datetime_complete and not t.user_attrs.get("void"):
                    seconds = (t.datetime_complete - t.datetime_start).total_seconds()
                    out.append(((cell, phase), seconds))
    return out


def remaining_runs(sweep: Sweep) -> dict[Key, int]:
    """Runs still to finish per cell and phase: search trials up to the budget, and the
    confirmation runs enqueued but not finished."""
    out: dict[Key, int] = {}
    for cell, study in sweep.search.items():
        trials = [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get("void")]
        finished = sum(t.state in FINISHED for t in trials)
        out[(cell, "search")] = max(0, sweep.spec.n_trials - finished)
    for cell, study in sweep.confirm.items():
        trials = [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get("void")]
        out[(cell, "confirm")] = sum(t.state not in FINISHED for t in trials)
    return out
