"""`harness advise --data`: a pilot study on the user's own data, sized to a budget on this
machine and run with the sweep machinery, so there is a study to advise from."""

from harness.advise.pilot.plan import PILOT_STRATEGIES, PilotPlan, TrialCost, plan_pilot
from harness.advise.pilot.sweepfile import pilot_sweep

__all__ = ["PILOT_STRATEGIES", "PilotPlan", "TrialCost", "pilot_sweep", "plan_pilot"]
