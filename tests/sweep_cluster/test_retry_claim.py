"""A dead worker's retry is claimed even when it is the last trial of the budget (it used to wait forever)."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from harness.sweep.study import claim_search, valid_trials, void


def test_retry_that_fills_the_budget_is_claimed() -> None:
    study = optuna.create_study(direction="maximize")
    first, lost = study.ask({"lr": optuna.distributions.FloatDistribution(0.1, 1.0)}), study.ask()
    study.tell(first, 0.5)
    assert void(study, lost._trial_id, "interrupted")  # what recover_stale does for a dead worker
    study.enqueue_trial({"lr": 0.3}, user_attrs={"retry_of": lost.number})
    assert len(valid_trials(study)) == 2  # the budget is "full": one done + one waiting retry
    retry = claim_search(study, budget=2)
    assert retry is not None and retry.user_attrs["retry_of"] == lost.number
    assert claim_search(study, budget=2) is None  # and nothing beyond the budget
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.COMPLETE, TrialState.FAIL, TrialState.RUNNING]
