"""QMC search with several workers: the configuration a new search trial gets is fixed by its
place among the cell's draws, not by who asks first.

Optuna's `QMCSampler` takes the next point of its sequence from a counter in the study storage,
read and written in two steps: two workers that sample at the same moment get the same point
(one configuration runs twice, another never). Here the point is the trial's draw index (its
place among the cell's new configurations, see `study.draw_index`): draw 0 is the sampler's
seeded random point and draw d >= 1 is point d - 1 of the scrambled sequence, exactly what one
worker running the cell from start to end draws, whichever worker draws it and whenever.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import QMCSampler
from optuna.study import Study
from optuna.trial import FrozenTrial

__all__ = ["IndexedQMCSampler"]


class IndexedQMCSampler(QMCSampler):
    """A `QMCSampler` that draws point `draw` over `space` (the cell's ranges, in the order the
    trial suggests them) instead of the storage's next one."""

    def __init__(self, draw: int, space: Mapping[str, BaseDistribution], **options: Any) -> None:
        with warnings.catch_warnings():  # QMCSampler is "experimental" in Optuna
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            super().__init__(warn_independent_sampling=False, **options)
        self._draw, self._space = draw, dict(space)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        # draw 0: the independent (seeded random) point, as Optuna draws a study's first trial
        return {} if self._draw == 0 else dict(self._space)

    def _find_sample_id(self, study: Study, search_space: dict[str, BaseDistribution]) -> int:
        return self._draw - 1
