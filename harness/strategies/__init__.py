"""Fine-tuning strategies. Each module has one entry point, `apply(model, **params)`, that
decides which parameters train (sets `requires_grad`) and may return a `StrategyPlan` for what
changes during training; `conf/strategy/<name>.yaml` points at it. The head always trains."""

from harness.strategies._base import StrategyPlan, freeze_all, trainable_names

__all__ = ["StrategyPlan", "freeze_all", "trainable_names"]
