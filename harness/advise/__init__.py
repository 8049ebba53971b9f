"""`harness advise`: which fine-tuning strategy, for this data, at this size, within this budget.

From a finished study's confirmation runs (part 1) or from a pilot study it sizes to a budget and
runs on the user's own data (part 2, `pilot/`): per strategy, the predicted score at N with an
interval and the cost at N, then one recommendation with its rule and evidence.

The names below load on first use: `harness <any command>` imports this package for its help
text, and must not pay for pandas and scipy to do so.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Advice",
    "StrategyAdvice",
    "Study",
    "UnitAdvice",
    "advise",
    "read_study",
    "study_from_runs",
]

_HOME = {
    "Advice": "advice",
    "StrategyAdvice": "advice",
    "UnitAdvice": "advice",
    "advise": "advice",
    "Study": "study",
    "read_study": "study",
    "study_from_runs": "study",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"harness.advise.{_HOME[name]}"), name)
    raise AttributeError(f"module 'harness.advise' has no attribute {name!r}")
