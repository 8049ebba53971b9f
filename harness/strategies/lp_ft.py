"""LP-FT (Kumar et al., 2022): a linear probe first, then full fine-tuning from the probed head.

For the first `probe_share` of the step budget the encoder is frozen and only the head trains,
at the probe's own learning rate (`strategy.head_lr`, a linear-probe lr such as 1e-2); then
everything trains at the fine-tuning lr (`optimizer.lr`), the head included, as in the paper.
Early stopping waits for the fine-tuning phase. The frozen set changes: no prefix cache.
"""

from __future__ import annotations

from harness.errors import ConfigError
from harness.models.classifier import Classifier
from harness.strategies._base import StrategyPlan

__all__ = ["apply"]


def apply(model: Classifier, probe_share: float = 0.3) -> StrategyPlan:
    if (
        isinstance(probe_share, bool)
        or not isinstance(probe_share, (int, float))
        or not 0 < probe_share < 1
    ):
        raise ConfigError("strategy.probe_share", f"must be in (0, 1), got {probe_share!r}")
    for p in model.parameters():  # everything trains eventually
        p.requires_grad_(True)

    def on_step(step: int, max_steps: int) -> None:
        probing = step < probe_share * max_steps
        for p in model.encoder.parameters():
            p.requires_grad_(not probing)

    share = float(probe_share)
    return StrategyPlan(on_step=on_step, cacheable=False, settle_share=share, probe_share=share)
